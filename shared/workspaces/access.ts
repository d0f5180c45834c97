import { eq, sql } from 'drizzle-orm';
import { type Authz, type OrgRole, versionOf } from '../authz';
import type { Db } from '../db';
import { rows } from '../db/raw';
import { projects } from '../db/schema';
import { ForbiddenError, NotFoundError } from '../errors';
import { annotateRequest } from '../telemetry/context';

export type WorkspaceAccess = {
  workspaceId: string;
  organizationId: string;
  orgAdmin: boolean;
  member: boolean;
  /** A member whose flattened groups hold an assignment of hexabase:workspace-admin. */
  wsAdmin: boolean;
};

export const workspaceNotFound = () => new NotFoundError('No such workspace.', 'WORKSPACE_NOT_FOUND');

/**
 * Everything authorization needs about a caller and a workspace. Every workspace route asks it first, so it is
 * cached under the user's and the workspace's versions (shared/authz), and a miss is one query (it was four; see
 * docs/benchmarks.md).
 */
export function workspaceAccess(
  authz: Authz,
  workspaceId: string,
  userId: string,
): Promise<WorkspaceAccess | undefined> {
  return authz.cache.read(
    `wa:${workspaceId}:${userId}`,
    [versionOf.user(userId), versionOf.workspace(workspaceId)],
    () => loadWorkspaceAccess(authz.db, workspaceId, userId),
  );
}

async function loadWorkspaceAccess(
  db: Db,
  workspaceId: string,
  userId: string,
): Promise<WorkspaceAccess | undefined> {
  const [row] = await rows<{ org_id: string; org_role: OrgRole | null; member: boolean; ws_admin: boolean }>(
    db,
    sql`
    select w.organization_id as org_id,
      (select om.role from organization_members om
        where om.organization_id = w.organization_id and om.user_id = ${userId}) as org_role,
      exists (select 1 from workspace_members wm where wm.workspace_id = w.id and wm.user_id = ${userId}) as member,
      (with recursive reach(id, parent_id) as (
         select g.id, g.parent_id from group_memberships m join groups g on g.id = m.group_id
          where m.workspace_id = ${workspaceId} and m.user_id = ${userId}
         union
         select p.id, p.parent_id from reach r cross join lateral (select id, parent_id from groups where id = r.parent_id offset 0) p
       )
       select exists (
         select 1 from role_assignments ra join reach r on r.id = ra.group_id
          where ra.workspace_id = ${workspaceId} and ra.scope = 'workspace' and ra.role_name = 'hexabase:workspace-admin'
       )) as ws_admin
    from workspaces w where w.id = ${workspaceId}`,
  );
  if (!row?.org_role) return undefined; // not in the organization: the workspace does not exist for them
  return {
    workspaceId,
    organizationId: row.org_id,
    orgAdmin: row.org_role === 'admin',
    member: row.member,
    wsAdmin: row.member && row.ws_admin,
  };
}

export type Need = 'read' | 'manage' | 'membership' | 'lifecycle';

/**
 * CONTRACT: members (and org admins) read; workspace admins manage groups, projects, roles and assignments;
 * workspace or org admins manage membership; org admins manage the lifecycle. Everyone else: 404.
 */
export async function requireWorkspace(
  authz: Authz,
  workspaceId: string,
  userId: string,
  need: Need,
): Promise<WorkspaceAccess> {
  const a = await workspaceAccess(authz, workspaceId, userId);
  if (!a || !(a.member || a.orgAdmin)) throw workspaceNotFound();
  // From here the request's log lines name the workspace and organization it acts on (CONTRACT: Operations, logs).
  annotateRequest({ orgId: a.organizationId, wsId: workspaceId });
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

/** Routes under an organization's path: a workspace of another organization is as unknown as a missing one. */
export async function requireOrgWorkspace(
  authz: Authz,
  orgId: string,
  workspaceId: string,
  userId: string,
  need: Need,
): Promise<WorkspaceAccess> {
  const a = await requireWorkspace(authz, workspaceId, userId, need);
  if (a.organizationId !== orgId) throw workspaceNotFound();
  return a;
}

/**
 * Project routes name only the project: its workspace decides who may act. Unknown or invisible: 404. A project
 * never moves to another workspace, so which workspace it belongs to is cached without a version; a deleted one's
 * routes still find no project after the check.
 */
export async function requireProject(authz: Authz, projectId: string, userId: string, need: Need) {
  const workspaceId = await authz.cache.read(`pw:${projectId}`, [], async () => {
    const [p] = await authz.db
      .select({ workspaceId: projects.workspaceId })
      .from(projects)
      .where(eq(projects.id, projectId));
    return p?.workspaceId;
  });
  if (!workspaceId) throw new NotFoundError('No such project.', 'PROJECT_NOT_FOUND');
  try {
    return await requireWorkspace(authz, workspaceId, userId, need);
  } catch (err) {
    if (err instanceof NotFoundError)
      throw new NotFoundError('No such project.', 'PROJECT_NOT_FOUND', { cause: err });
    throw err;
  }
}
