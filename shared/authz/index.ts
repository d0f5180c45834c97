import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { organizationMembers } from '../db/schema';
import { ForbiddenError, NotFoundError } from '../errors';

export type OrgRole = 'admin' | 'member';

/**
 * The one authorization module. Rules: a caller who is not a member of the organization gets 404 (its existence
 * is not revealed, not even whether the id is valid); a member without the needed role gets 403.
 */
export async function orgRoleOf(db: Db, orgId: string, userId: string): Promise<OrgRole | undefined> {
  const [row] = await db
    .select({ role: organizationMembers.role })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.userId, userId)));
  return row?.role;
}

export const orgNotFound = () => new NotFoundError('No such organization.', 'ORGANIZATION_NOT_FOUND');

export async function requireOrgRole(
  db: Db,
  orgId: string,
  userId: string,
  needed: OrgRole,
): Promise<OrgRole> {
  const role = await orgRoleOf(db, orgId, userId);
  if (!role) throw orgNotFound();
  if (needed === 'admin' && role !== 'admin') {
    throw new ForbiddenError('Only organization admins can do this.', 'ORG_ADMIN_REQUIRED');
  }
  return role;
}
