import type { Auth } from '../../shared/auth';
import type { Platform } from '../../shared/platform';

export type OidcDeps = { auth: Auth; ttlSeconds: number };

export const fromPlatform = (p: Platform): OidcDeps => ({
  auth: p.auth,
  ttlSeconds: p.env.HEXABASE_WORKSPACE_TOKEN_TTL_SECONDS,
});
