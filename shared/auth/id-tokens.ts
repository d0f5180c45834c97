import { randomUUID } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import { SignJWT } from 'jose';
import { versionOf } from '../authz';
import type { Db } from '../db';
import { prepared } from '../db/prepared';
import { users, workspaceMembers, workspaces } from '../db/schema';
import { ForbiddenError, NotFoundError } from '../errors';
import { flattenGroups } from '../workspaces/flatten';
import type { AuthContext } from './context';
import { SIGNING_ALG } from './keys';

export const workspaceIssuer = (publicUrl: string, wsId: string) =>
  `${publicUrl.replace(/\/$/, '')}/oidc/${wsId}`;

/** The issuer exists exactly as long as the workspace does (and is not being deleted). */
export async function requireIssuer(ctx: Pick<AuthContext, 'db'>, wsId: string) {
  const [ws] = await ctx.db
    .select({ id: workspaces.id, deleting: workspaces.deletionRequestedAt })
    .from(workspaces)
    .where(eq(workspaces.id, wsId));
  if (!ws || ws.deleting) throw new NotFoundError('No such issuer.', 'ISSUER_NOT_FOUND');
}

const issuerAndMember = (db: Db) =>
  prepared(db, 'id_token_issuer_member', (d) =>
    d
      .select({
        deleting: workspaces.deletionRequestedAt,
        email: users.email,
        emailVerified: users.emailVerified,
        name: users.displayName,
      })
      .from(workspaces)
      .leftJoin(
        workspaceMembers,
        and(
          eq(workspaceMembers.workspaceId, workspaces.id),
          eq(workspaceMembers.userId, sql.placeholder('userId')),
        ),
      )
      .leftJoin(users, eq(users.id, workspaceMembers.userId))
      .where(eq(workspaces.id, sql.placeholder('wsId')))
      .prepare('id_token_issuer_member'),
  );

/**
 * A workspace ID token for kubectl: RS256 with kid, aud = workspace id, sub = user id, `groups` = the user's groups
 * in the workspace plus all ancestors (names, sorted). Only members of the workspace get one. The issuer and the
 * membership are one query; the flattened groups come from the versioned cache (shared/authz), under the user's
 * and the workspace's versions that every group, membership or assignment change bumps.
 */
export async function issueWorkspaceIdToken(
  ctx: AuthContext,
  input: { wsId: string; userId: string; ttlSeconds: number; publicUrl: string },
): Promise<{ token: string; expiresIn: number }> {
  const [row] = await issuerAndMember(ctx.db).execute({ wsId: input.wsId, userId: input.userId });
  if (!row || row.deleting) throw new NotFoundError('No such issuer.', 'ISSUER_NOT_FOUND');
  if (row.email === null)
    throw new ForbiddenError('Only members of the workspace receive its tokens.', 'invalid_grant');
  const member = { email: row.email, emailVerified: row.emailVerified, name: row.name };
  const groups =
    (await ctx.authzCache.read(
      `fg:${input.wsId}:${input.userId}`,
      [versionOf.user(input.userId), versionOf.workspace(input.wsId)],
      () => flattenGroups(ctx.db, input.wsId, input.userId),
    )) ?? [];
  const { kid, key } = await ctx.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({
    groups,
    email: member.email,
    email_verified: member.emailVerified,
    name: member.name,
  })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'JWT' })
    .setIssuer(workspaceIssuer(input.publicUrl, input.wsId))
    .setSubject(input.userId)
    .setAudience(input.wsId)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + input.ttlSeconds)
    .setJti(randomUUID())
    .sign(key);
  return { token, expiresIn: input.ttlSeconds };
}
