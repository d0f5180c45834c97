import { UnauthenticatedError } from '../errors';
import { verifyAccessToken } from './access-tokens';
import type { AuthContext, Principal } from './context';
import { verifyPat } from './pats';
import { PAT_PREFIX } from './secrets';
import { isSessionActive } from './sessions';

/**
 * Resolves a bearer credential (access token or personal access token) to a principal, or throws 401.
 * Sessions and tokens are checked on every call against PostgreSQL through the versioned cache (shared/authz),
 * so revocation is immediate everywhere.
 */
export async function authenticateToken(
  ctx: AuthContext,
  token: string,
  via: Principal['via'],
): Promise<Principal> {
  if (token.startsWith(PAT_PREFIX)) {
    const pat = await verifyPat(ctx, token);
    if (!pat) throw new UnauthenticatedError('The personal access token is not valid.', 'INVALID_TOKEN');
    return { userId: pat.userId, via, credential: { kind: 'pat', patId: pat.patId } };
  }
  const claims = await verifyAccessToken(ctx, token);
  if (!(await isSessionActive(ctx, claims.sid, claims.sub))) {
    throw new UnauthenticatedError('The session has ended; sign in again.', 'SESSION_REVOKED');
  }
  return { userId: claims.sub, via, credential: { kind: 'session', sessionId: claims.sid } };
}
