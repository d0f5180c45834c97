import { and, eq, isNull } from 'drizzle-orm';
import { type Actor, audit, auditMeta } from '../audit';
import { invalidate, versionOf } from '../authz';
import type { Db } from '../db';
import { refreshTokens, sessions } from '../db/schema';
import { newId } from '../ids';
import { issueAccessToken } from './access-tokens';
import type { AuthContext, RequestMeta } from './context';
import { csrfToken } from './csrf';
import { hashToken, REFRESH_PREFIX, randomToken } from './secrets';

/** `csrfToken` is the session's CSRF token (csrf.ts), for the cookie that browsers echo. */
export type TokenPair = {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
  sessionId: string;
  csrfToken: string;
};

/** A session's rows are written; its access token is signed after commit (see `withAccessToken`). */
export type PendingPair = { userId: string; sessionId: string; refreshToken: string };

/** A session's first refresh token is random; rotations pass the successor they derived (refresh.ts). */
export async function insertRefreshToken(
  ctx: AuthContext,
  tx: Db,
  userId: string,
  sessionId: string,
  refreshToken = randomToken(REFRESH_PREFIX),
): Promise<PendingPair> {
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
    csrfToken: csrfToken(ctx, pending.sessionId),
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

export async function revokeSession(
  ctx: AuthContext,
  actor: Actor,
  input: { sessionId: string; reason: string },
) {
  const { sessionId, reason } = input;
  const userId = await ctx.db.transaction(async (tx) => {
    const [revoked] = await tx
      .update(sessions)
      .set({ revokedAt: ctx.now(), revokedReason: reason })
      .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
      .returning({ userId: sessions.userId });
    if (!revoked) return undefined;
    await audit(tx, {
      ...auditMeta(actor),
      action: 'session.revoked',
      targetType: 'session',
      targetId: sessionId,
      data: { reason },
    });
    return revoked.userId;
  });
  if (userId) await invalidate(ctx.authzCache, { users: [userId] });
}

/**
 * PostgreSQL decides, through the versioned cache: a revoked session stops working in every process on its next
 * request, because revocation bumps the user's version after its commit. Only live sessions are cached, with
 * their end, so expiry needs no invalidation.
 */
export async function isSessionActive(ctx: AuthContext, sessionId: string, userId: string): Promise<boolean> {
  const live = await ctx.authzCache.read(`s:${sessionId}`, [versionOf.user(userId)], async () => {
    const [row] = await ctx.db
      .select({ revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt, userId: sessions.userId })
      .from(sessions)
      .where(eq(sessions.id, sessionId));
    return row && !row.revokedAt && row.userId === userId ? { endsAt: row.expiresAt.getTime() } : undefined;
  });
  return !!live && live.endsAt > ctx.now().getTime();
}
