import { and, desc, eq, isNull, lt, or } from 'drizzle-orm';
import { type Actor, audit, auditMeta } from '../audit';
import { invalidate, versionOf } from '../authz';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../db/pagination';
import { personalAccessTokens } from '../db/schema';
import { NotFoundError } from '../errors';
import { newId } from '../ids';
import type { AuthContext } from './context';
import { hashToken, PAT_PREFIX, randomToken } from './secrets';

export type PatView = {
  id: string;
  name: string;
  createdAt: string;
  expiresAt: string | null;
  lastUsedAt: string | null;
};

const view = (r: typeof personalAccessTokens.$inferSelect): PatView => ({
  id: r.id,
  name: r.name,
  createdAt: r.createdAt.toISOString(),
  expiresAt: r.expiresAt?.toISOString() ?? null,
  lastUsedAt: r.lastUsedAt?.toISOString() ?? null,
});

/** The actor's new token. The secret is returned once, here; only its hash is stored. */
export async function createPat(
  ctx: AuthContext,
  actor: Actor,
  input: { name: string; expiresAt?: Date },
): Promise<PatView & { token: string }> {
  const token = randomToken(PAT_PREFIX);
  const row = await ctx.db.transaction(async (tx) => {
    const [created] = await tx
      .insert(personalAccessTokens)
      .values({
        id: newId('pat'),
        userId: actor.userId,
        name: input.name,
        tokenHash: hashToken(token),
        expiresAt: input.expiresAt ?? null,
      })
      .returning();
    await audit(tx, {
      ...auditMeta(actor),
      action: 'token.created',
      targetType: 'personal_access_token',
      targetId: created!.id,
      data: { name: input.name, expiresAt: input.expiresAt?.toISOString() ?? null },
    });
    return created!;
  });
  return { ...view(row), token };
}

/** Active (not revoked) tokens of the caller, newest first. */
export async function listPats(ctx: AuthContext, actor: Actor, page: PageInput): Promise<Page<PatView>> {
  const { userId } = actor;
  const after = decodeCursor(page.cursor, TimeIdCursor);
  const rows = await ctx.db
    .select()
    .from(personalAccessTokens)
    .where(
      and(
        eq(personalAccessTokens.userId, userId),
        isNull(personalAccessTokens.revokedAt),
        after
          ? or(
              lt(personalAccessTokens.createdAt, new Date(after[0])),
              and(
                eq(personalAccessTokens.createdAt, new Date(after[0])),
                lt(personalAccessTokens.id, after[1]),
              ),
            )
          : undefined,
      ),
    )
    .orderBy(desc(personalAccessTokens.createdAt), desc(personalAccessTokens.id))
    .limit(page.limit + 1);
  return toPage(rows, page.limit, view, (r) => [r.createdAt.toISOString(), r.id]);
}

/** Only the actor's own tokens: anyone else's is as unknown as an id that never existed. */
export async function revokePat(ctx: AuthContext, actor: Actor, input: { patId: string }): Promise<void> {
  const { userId } = actor;
  const { patId } = input;
  const tokenHash = await ctx.db.transaction(async (tx) => {
    const revoked = await tx
      .update(personalAccessTokens)
      .set({ revokedAt: ctx.now() })
      .where(
        and(
          eq(personalAccessTokens.id, patId),
          eq(personalAccessTokens.userId, userId),
          isNull(personalAccessTokens.revokedAt),
        ),
      )
      .returning({ tokenHash: personalAccessTokens.tokenHash });
    // Someone else's token, an unknown id and an already revoked one look the same.
    if (revoked.length === 0) throw new NotFoundError('No such personal access token.');
    await audit(tx, {
      ...auditMeta(actor),
      action: 'token.revoked',
      targetType: 'personal_access_token',
      targetId: patId,
    });
    return revoked[0]!.tokenHash;
  });
  await invalidate(ctx.authzCache, { pats: [tokenHash] });
}

/**
 * Returns the owner of a live token, recording its use at most once a minute. Read through the versioned cache
 * under the token's own version, which revocation bumps; expiry is checked on every use.
 */
export async function verifyPat(
  ctx: AuthContext,
  token: string,
): Promise<{ userId: string; patId: string } | undefined> {
  const now = ctx.now().getTime();
  const tokenHash = hashToken(token);
  const key = `p:${tokenHash}`;
  const versions = [versionOf.pat(tokenHash)];
  const load = async () => {
    const [row] = await ctx.db
      .select({
        id: personalAccessTokens.id,
        userId: personalAccessTokens.userId,
        lastUsedAt: personalAccessTokens.lastUsedAt,
        expiresAt: personalAccessTokens.expiresAt,
      })
      .from(personalAccessTokens)
      .where(and(eq(personalAccessTokens.tokenHash, tokenHash), isNull(personalAccessTokens.revokedAt)));
    return row
      ? {
          patId: row.id,
          userId: row.userId,
          endsAt: row.expiresAt?.getTime() ?? null,
          usedAt: row.lastUsedAt?.getTime() ?? null,
        }
      : undefined;
  };
  const pat = await ctx.authzCache.read(key, versions, load);
  if (!pat || (pat.endsAt !== null && pat.endsAt <= now)) return undefined;
  if (pat.usedAt === null || now - pat.usedAt > 60_000) {
    await ctx.db
      .update(personalAccessTokens)
      .set({ lastUsedAt: new Date(now) })
      .where(eq(personalAccessTokens.id, pat.patId));
    // The cached entry still says "not used lately": the next read reloads it, with the new time.
    await ctx.authzCache.forget(key);
  }
  return { userId: pat.userId, patId: pat.patId };
}
