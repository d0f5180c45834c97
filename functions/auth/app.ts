import { authenticate, csrfProtection, rateLimit, requireAuth } from '../../shared/auth/middleware';
import { type AppOptions, createApp } from '../../shared/http/app';
import { noStore } from '../../shared/http/no-store';
import { mountOperations } from '../../shared/http/openapi';
import type { AuthDeps } from './deps';
import { callbackOperation } from './routes/callback';
import { cliAuthorizeDecisionOperation, cliAuthorizePageOperation } from './routes/cli-authorize';
import { cliTokenOperation } from './routes/cli-token';
import { devLoginOperation } from './routes/dev-login';
import { listProvidersOperation } from './routes/list-providers';
import { logoutOperation } from './routes/logout';
import { meOperation } from './routes/me';
import { refreshOperation } from './routes/refresh';
import { redirectToProviderOperation, startLoginOperation } from './routes/start-login';
import { createTokenOperation, listTokensOperation, revokeTokenOperation } from './routes/tokens';

// Dev login is registered before /auth/login/{provider} so that its static path wins.
export const operations = [
  listProvidersOperation,
  devLoginOperation,
  redirectToProviderOperation,
  startLoginOperation,
  callbackOperation,
  refreshOperation,
  logoutOperation,
  meOperation,
  createTokenOperation,
  listTokensOperation,
  revokeTokenOperation,
  cliAuthorizePageOperation,
  cliAuthorizeDecisionOperation,
  cliTokenOperation,
];

export function createAuthApp(deps: AuthDeps, app: AppOptions) {
  // HTML forms (CLI sign-in consent, development sign-in) post url-encoded bodies.
  const a = createApp({
    ...app,
    name: 'auth',
    bodyTypes: ['application/json', 'application/x-www-form-urlencoded'],
  });
  const trustProxy = deps.auth.trustProxy;
  const limit = (name: string, n: number) =>
    rateLimit(deps.cache, { name, limit: n, windowSeconds: 60, trustProxy });
  // Outermost, so that every answer of these routes is covered: they carry tokens, session cookies or CLI codes.
  for (const path of ['/auth/login/dev', '/auth/callback/*', '/auth/refresh', '/auth/cli/token'])
    a.use(path, noStore());
  a.on('POST', ['/auth/tokens', '/auth/cli/authorize'], noStore());
  a.use('*', authenticate(deps.auth.auth));
  a.use('/auth/login/*', limit('login', 30));
  a.use('/auth/callback/*', limit('callback', 30));
  a.use('/auth/refresh', limit('refresh', 60));
  a.use('/auth/cli/*', limit('cli-login', 30));
  for (const path of ['/auth/me', '/auth/logout', '/auth/tokens', '/auth/tokens/*'])
    a.use(path, requireAuth());
  a.on('POST', '/auth/tokens', limit('token-create', 10));
  a.use('*', csrfProtection(deps.auth.auth));
  return mountOperations(a, operations, deps);
}
