import { and, eq, isNull } from 'drizzle-orm';
import { audit } from '../audit';
import { invalidate } from '../authz';
import type { Db } from '../db';
import { refreshTokens, sessions } from '../db/schema';
import { UnauthenticatedError } from '../errors';
import type { AuthContext, RequestMeta } from './context';
import { hashToken, mac, REFRESH_PREFIX } from './secrets';
import { insertRefreshToken, type PendingPair, type TokenPair, withAccessToken } from './sessions';

const invalidRefresh = () =>
  new UnauthenticatedError('The refresh token is not valid.', 'INVALID_REFRESH_TOKEN');

/**
 * A refresh token's successor is a MAC of it under a server key: every racing request that presents the same token
 * can name the same successor without it being stored anywhere (PostgreSQL keeps only hashes), and nobody without
 * the key can compute it.
 */
function successorOf(ctx: AuthContext, refreshToken: string): string {
  return REFRESH_PREFIX + mac(ctx.refreshKey, refreshToken);
}

type LockedToken = { sessionId: string; userId: string; usedAt: Date };

/**
 * Browsers refresh from several tabs at once, all with the same cookie. A spent token presented within the grace
 * window of its rotation is such a race, as long as its successor is still unused: the chain has not moved on, so
 * the same successor is answered. Anything later, or after the successor was itself spent, is a replay.
 */
async function isGraceReuse(ctx: AuthContext, tx: Db, row: LockedToken, successor: string) {
  const graceMs = ctx.refreshReuseGraceSeconds * 1000;
  if (graceMs <= 0 || ctx.now().getTime() - row.usedAt.getTime() > graceMs) return false;
  const [next] = await tx
    .select({ usedAt: refreshTokens.usedAt, expiresAt: refreshTokens.expiresAt })
    .from(refreshTokens)
    .where(
      and(eq(refreshTokens.tokenHash, hashToken(successor)), eq(refreshTokens.sessionId, row.sessionId)),
    );
  return !!next && !next.usedAt && next.expiresAt > ctx.now();
}

/**
 * Rotates a refresh token. The row lock serialises concurrent refreshes of one token: the first rotates it, the
 * ones inside the grace window get the same successor, and any other use of a spent token is treated as theft —
 * the whole session is revoked.
 */
export async function refreshSession(
  ctx: AuthContext,
  meta: RequestMeta,
  input: { refreshToken: string },
): Promise<TokenPair> {
  const { refreshToken } = input;
  if (!refreshToken.startsWith(REFRESH_PREFIX)) throw invalidRefresh();
  const tokenHash = hashToken(refreshToken);
  const successor = successorOf(ctx, refreshToken);
  const result = await ctx.db.transaction(
    async (tx): Promise<{ pair: PendingPair } | { error: Error; revokedUserId?: string }> => {
      const [row] = await tx
        .select({
          sessionId: refreshTokens.sessionId,
          usedAt: refreshTokens.usedAt,
          expiresAt: refreshTokens.expiresAt,
          userId: sessions.userId,
          revokedAt: sessions.revokedAt,
          sessionExpiresAt: sessions.expiresAt,
        })
        .from(refreshTokens)
        .innerJoin(sessions, eq(sessions.id, refreshTokens.sessionId))
        .where(eq(refreshTokens.tokenHash, tokenHash))
        .for('update');
      if (!row || row.revokedAt || row.sessionExpiresAt <= ctx.now() || row.expiresAt <= ctx.now()) {
        return { error: invalidRefresh() };
      }
      const { userId, sessionId, usedAt } = row;
      if (!usedAt) {
        await tx
          .update(refreshTokens)
          .set({ usedAt: ctx.now() })
          .where(eq(refreshTokens.tokenHash, tokenHash));
        await tx.update(sessions).set({ lastUsedAt: ctx.now() }).where(eq(sessions.id, sessionId));
        return { pair: await insertRefreshToken(ctx, tx, userId, sessionId, successor) };
      }
      if (await isGraceReuse(ctx, tx, { userId, sessionId, usedAt }, successor)) {
        return { pair: { userId, sessionId, refreshToken: successor } };
      }
      await tx
        .update(sessions)
        .set({ revokedAt: ctx.now(), revokedReason: 'refresh_token_reuse' })
        .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
      await audit(tx, {
        action: 'session.refresh_token_reused',
        actorId: userId,
        targetType: 'session',
        targetId: sessionId,
        requestId: meta.requestId ?? null,
        ip: meta.ip ?? null,
      });
      // Committed on purpose: the revocation must stick even though this request fails.
      return {
        revokedUserId: userId,
        error: new UnauthenticatedError(
          'The refresh token was already used; the session is revoked.',
          'REFRESH_TOKEN_REUSED',
        ),
      };
    },
  );
  if ('error' in result) {
    // After the commit: the revoked session stops authenticating everywhere before this answer leaves.
    if (result.revokedUserId) await invalidate(ctx.authzCache, { users: [result.revokedUserId] });
    throw result.error;
  }
  // A race's losers get a fresh access token for the same session: access tokens are not stored, and any of them
  // dies with the session, so there is nothing to keep identical.
  return withAccessToken(ctx, result.pair);
}
