import { and, eq, sql } from 'drizzle-orm';
import { orgRoleOf } from '../authz';
import type { Db } from '../db';
import { rows } from '../db/raw';
import { projects, workspaceMembers, workspaces } from '../db/schema';
import { ForbiddenError, NotFoundError } from '../errors';

export type WorkspaceAccess = {
  workspaceId: string;
  organizationId: string;
  orgAdmin: boolean;
  member: boolean;
  /** A member whose flattened groups hold an assignment of hexabase:workspace-admin. */
  wsAdmin: boolean;
};

export const workspaceNotFound = () => new NotFoundError('No such workspace.', 'WORKSPACE_NOT_FOUND');

/** Everything authorization needs about a caller and a workspace, in two queries. */
export async function workspaceAccess(
  db: Db,
  workspaceId: string,
  userId: string,
): Promise<WorkspaceAccess | undefined> {
  const [ws] = await db
    .select({ id: workspaces.id, orgId: workspaces.organizationId })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!ws) return undefined;
  const [[member], orgRole, [admin]] = await Promise.all([
    db
      .select({ u: workspaceMembers.userId })
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, workspaceId), eq(workspaceMembers.userId, userId))),
    orgRoleOf(db, ws.orgId, userId),
    rows<{ ok: boolean }>(
      db,
      sql`
      with recursive reach(id, parent_id) as (
        select g.id, g.parent_id from group_memberships m join groups g on g.id = m.group_id
         where m.workspace_id = ${workspaceId} and m.user_id = ${userId}
        union
        select p.id, p.parent_id from reach r cross join lateral (select id, parent_id from groups where id = r.parent_id offset 0) p
      )
      select exists (
        select 1 from role_assignments ra join reach r on r.id = ra.group_id
         where ra.workspace_id = ${workspaceId} and ra.scope = 'workspace' and ra.role_name = 'hexabase:workspace-admin'
      ) as ok`,
    ),
  ]);
  if (!orgRole) return undefined; // not in the organization: the workspace does not exist for them
  return {
    workspaceId,
    organizationId: ws.orgId,
    orgAdmin: orgRole === 'admin',
    member: !!member,
    wsAdmin: !!member && !!admin?.ok,
  };
}

export type Need = 'read' | 'manage' | 'membership' | 'lifecycle';

/**
 * CONTRACT: members (and org admins) read; workspace admins manage groups, projects, roles and assignments;
 * workspace or org admins manage membership; org admins manage the lifecycle. Everyone else: 404.
 */
export async function requireWorkspace(
  db: Db,
  workspaceId: string,
  userId: string,
  need: Need,
): Promise<WorkspaceAccess> {
  const a = await workspaceAccess(db, workspaceId, userId);
  if (!a || !(a.member || a.orgAdmin)) throw workspaceNotFound();
  const allowed =
    need === 'read' ||
    (need === 'manage' && a.wsAdmin) ||
    (need === 'membership' && (a.wsAdmin || a.orgAdmin)) ||
    (need === 'lifecycle' && a.orgAdmin);
  if (!allowed) {
    throw new ForbiddenError(
      need === 'lifecycle' ? 'Only organization admins can do this.' : 'Only workspace admins can do this.',
      need === 'lifecycle' ? 'ORG_ADMIN_REQUIRED' : 'WORKSPACE_ADMIN_REQUIRED',
    );
  }
  return a;
}

/** Project routes name only the project: its workspace decides who may act. Unknown or invisible: 404. */
export async function requireProject(db: Db, projectId: string, userId: string, need: Need) {
  const [p] = await db
    .select({ workspaceId: projects.workspaceId })
    .from(projects)
    .where(eq(projects.id, projectId));
  if (!p) throw new NotFoundError('No such project.', 'PROJECT_NOT_FOUND');
  try {
    return await requireWorkspace(db, p.workspaceId, userId, need);
  } catch (err) {
    if (err instanceof NotFoundError) throw new NotFoundError('No such project.', 'PROJECT_NOT_FOUND');
    throw err;
  }
}
