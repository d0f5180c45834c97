import { type AppOptions, createApp } from '../../shared/http/app';
import { noStore } from '../../shared/http/no-store';
import { mountOperations } from '../../shared/http/openapi';
import type { OidcDeps } from './deps';
import { discoveryOperation, keysOperation } from './routes/discovery';
import { tokenOperation } from './routes/token';

export const operations = [discoveryOperation, keysOperation, tokenOperation];

/** Hexabase as the OIDC issuer of every workspace: `{public URL}/oidc/{wsId}`, trusted by that vCluster only. */
export function createOidcApp(deps: OidcDeps, app: AppOptions) {
  const a = createApp({ ...app, name: 'oidc', bodyTypes: ['application/x-www-form-urlencoded'] });
  a.on('POST', '/oidc/:wsId/token', noStore()); // ID tokens, and the errors of the same exchange
  return mountOperations(a, operations, deps);
}
