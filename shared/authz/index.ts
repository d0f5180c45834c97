import { and, eq } from 'drizzle-orm';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import { organizationMembers } from '../db/schema';
import { ForbiddenError, NotFoundError } from '../errors';
import { annotateRequest } from '../telemetry/context';

export type OrgRole = 'admin' | 'member';

/**
 * What authorization reads: PostgreSQL, through a versioned cache. Every verb that changes who may do what bumps
 * the versions below after its commit (`invalidate`), so a cached answer is never older than the last change.
 */
export type Authz = { db: Db; cache: VersionedCache };

/**
 * The versions an answer depends on. A user's version covers their sessions and their memberships (organization
 * role, workspace membership, group membership); a workspace's covers its groups, members and cluster-role
 * assignments; an organization's its existence; a personal access token's (by hash) its revocation.
 */
export const versionOf = {
  user: (id: string) => `v:u:${id}`,
  org: (id: string) => `v:o:${id}`,
  workspace: (id: string) => `v:w:${id}`,
  pat: (tokenHash: string) => `v:p:${tokenHash}`,
};

export type Invalidation = { users?: string[]; orgs?: string[]; workspaces?: string[]; pats?: string[] };

/** After the commit of a change to memberships, groups, assignments, sessions or tokens; before answering it. */
export function invalidate(cache: VersionedCache, what: Invalidation): Promise<void> {
  return cache.bump([
    ...(what.users ?? []).map(versionOf.user),
    ...(what.orgs ?? []).map(versionOf.org),
    ...(what.workspaces ?? []).map(versionOf.workspace),
    ...(what.pats ?? []).map(versionOf.pat),
  ]);
}

/** The caller's role, straight from PostgreSQL: inside transactions that must see their own writes. */
export async function orgRoleOf(db: Db, orgId: string, userId: string): Promise<OrgRole | undefined> {
  const [row] = await db
    .select({ role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.userId, userId)));
  return row?.role;
}

/** The caller's role for authorization: cached under the user's and the organization's versions. */
export function cachedOrgRole(authz: Authz, orgId: string, userId: string): Promise<OrgRole | undefined> {
  return authz.cache.read(`or:${orgId}:${userId}`, [versionOf.user(userId), versionOf.org(orgId)], () =>
    orgRoleOf(authz.db, orgId, userId),
  );
}

export const orgNotFound = () => new NotFoundError('No such organization.', 'ORGANIZATION_NOT_FOUND');

/**
 * The one authorization module. Rules: a caller who is not a member of the organization gets 404 (its existence
 * is not revealed, not even whether the id is valid); a member without the needed role gets 403.
 */
export async function requireOrgRole(
  authz: Authz,
  orgId: string,
  userId: string,
  needed: OrgRole,
): Promise<OrgRole> {
  const role = await cachedOrgRole(authz, orgId, userId);
  if (!role) throw orgNotFound();
  // From here the request's log lines name the organization it acts on (CONTRACT: Operations, logs).
  annotateRequest({ orgId });
  if (needed === 'admin' && role !== 'admin') {
    throw new ForbiddenError('Only organization admins can do this.', 'ORG_ADMIN_REQUIRED');
  }
  return role;
}

type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];

/**
 * A transaction that changes who may do what. The invalidation follows its commit, and only a commit: a failed
 * change leaves the cache as it was. `what` may depend on the result (for example the rows a delete returned).
 */
export async function authzTransaction<T>(
  authz: Authz,
  what: Invalidation | ((result: T) => Invalidation),
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  const result = await authz.db.transaction(work);
  await invalidate(authz.cache, typeof what === 'function' ? what(result) : what);
  return result;
}
