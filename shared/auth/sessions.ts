import { and, eq, isNull } from 'drizzle-orm';
import { audit } from '../audit';
import type { Db } from '../db';
import { refreshTokens, sessions } from '../db/schema';
import { UnauthenticatedError } from '../errors';
import { newId } from '../ids';
import { issueAccessToken } from './access-tokens';
import type { AuthContext, RequestMeta } from './context';
import { hashToken, REFRESH_PREFIX, randomToken } from './secrets';

export type TokenPair = { accessToken: string; refreshToken: string; expiresIn: number; sessionId: string };

/** A session's rows are written; its access token is signed after commit (see `withAccessToken`). */
export type PendingPair = { userId: string; sessionId: string; refreshToken: string };

async function insertRefreshToken(
  ctx: AuthContext,
  tx: Db,
  userId: string,
  sessionId: string,
): Promise<PendingPair> {
  const refreshToken = randomToken(REFRESH_PREFIX);
  await tx.insert(refreshTokens).values({
    tokenHash: hashToken(refreshToken),
    sessionId,
    expiresAt: new Date(ctx.now().getTime() + ctx.refreshTtlSeconds * 1000),
  });
  return { userId, sessionId, refreshToken };
}

/**
 * Signing happens outside transactions: it may load the signing key from the database, which must not wait on
 * the caller's transaction (PGlite has a single connection), and no lock should be held during crypto.
 */
export async function withAccessToken(ctx: AuthContext, pending: PendingPair): Promise<TokenPair> {
  const accessToken = await issueAccessToken(ctx, { sub: pending.userId, sid: pending.sessionId });
  return {
    accessToken,
    refreshToken: pending.refreshToken,
    expiresIn: ctx.accessTtlSeconds,
    sessionId: pending.sessionId,
  };
}

/** Starts a session inside the caller's transaction (sign-in commits user, session and audit row together). */
export async function createSession(
  ctx: AuthContext,
  tx: Db,
  userId: string,
  meta: RequestMeta,
): Promise<PendingPair> {
  const sessionId = newId('ses');
  await tx.insert(sessions).values({
    id: sessionId,
    userId,
    expiresAt: new Date(ctx.now().getTime() + ctx.refreshTtlSeconds * 1000),
    userAgent: meta.userAgent?.slice(0, 512) ?? null,
    ip: meta.ip ?? null,
  });
  return insertRefreshToken(ctx, tx, userId, sessionId);
}

const invalidRefresh = () =>
  new UnauthenticatedError('The refresh token is not valid.', 'INVALID_REFRESH_TOKEN');

/**
 * Rotates a refresh token. The row lock serialises concurrent refreshes of one token: exactly one wins, and any
 * later use of a spent token is treated as theft — the whole session is revoked.
 */
export async function refreshSession(
  ctx: AuthContext,
  refreshToken: string,
  meta: RequestMeta,
): Promise<TokenPair> {
  if (!refreshToken.startsWith(REFRESH_PREFIX)) throw invalidRefresh();
  const result = await ctx.db.transaction(async (tx) => {
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
      .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)))
      .for('update');
    if (!row || row.revokedAt || row.sessionExpiresAt <= ctx.now() || row.expiresAt <= ctx.now()) {
      return { error: invalidRefresh() };
    }
    if (row.usedAt) {
      await tx
        .update(sessions)
        .set({ revokedAt: ctx.now(), revokedReason: 'refresh_token_reuse' })
        .where(and(eq(sessions.id, row.sessionId), isNull(sessions.revokedAt)));
      await audit(tx, {
        action: 'session.refresh_token_reused',
        actorId: row.userId,
        targetType: 'session',
        targetId: row.sessionId,
        requestId: meta.requestId ?? null,
        ip: meta.ip ?? null,
      });
      // Committed on purpose: the revocation must stick even though this request fails.
      return {
        error: new UnauthenticatedError(
          'The refresh token was already used; the session is revoked.',
          'REFRESH_TOKEN_REUSED',
        ),
      };
    }
    await tx
      .update(refreshTokens)
      .set({ usedAt: ctx.now() })
      .where(eq(refreshTokens.tokenHash, hashToken(refreshToken)));
    await tx.update(sessions).set({ lastUsedAt: ctx.now() }).where(eq(sessions.id, row.sessionId));
    return { pair: await insertRefreshToken(ctx, tx, row.userId, row.sessionId) };
  });
  if ('error' in result) throw result.error;
  return withAccessToken(ctx, result.pair);
}

export async function revokeSession(
  ctx: AuthContext,
  sessionId: string,
  reason: string,
  meta: RequestMeta & { actorId: string },
) {
  await ctx.db.transaction(async (tx) => {
    const revoked = await tx
      .update(sessions)
      .set({ revokedAt: ctx.now(), revokedReason: reason })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ id: sessions.id });
    if (revoked.length === 0) return;
    await audit(tx, {
      action: 'session.revoked',
      actorId: meta.actorId,
      targetType: 'session',
      targetId: sessionId,
      data: { reason },
      requestId: meta.requestId ?? null,
      ip: meta.ip ?? null,
    });
  });
}

/** PostgreSQL decides: a revoked session stops working in every process on its next request. */
export async function isSessionActive(ctx: AuthContext, sessionId: string): Promise<boolean> {
  const [row] = await ctx.db
    .select({ revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(eq(sessions.id, sessionId));
  return !!row && !row.revokedAt && row.expiresAt > ctx.now();
}
