import { signedInApi } from '../../shared/auth/middleware';
import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import type { UsageDeps } from './deps';
import { getUsageOperation } from './routes/get-usage';

export const operations = [getUsageOperation];

export function createUsageApp(deps: UsageDeps, app: AppOptions) {
  const a = createApp({ ...app, name: 'usage' });
  a.use('/api/v1/*', ...signedInApi(deps.auth.auth, deps.db));
  return mountOperations(a, operations, deps);
}
