import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { rows } from '../db/raw';
import { RuleViolationError } from '../errors';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { assignmentsAt, assignOnce, deleteAssignment, insertAssignment } from './assignments';
import type { WorkspacesContext } from './context';
import { assignableGroup } from './groups';
import { findCustomRole, isPresetRole } from './roles';

export type RoleAssignmentView = {
  id: string;
  groupId: string;
  groupName: string;
  roleId: string;
  roleName: string;
  projectId: string;
  /** Set when the assignment is made on an ancestor project and applies here by inheritance. */
  inheritedFrom: string | null;
  createdAt: string;
};

/**
 * Own assignments and those inherited from every ancestor project (nearest first): what the project's RoleBindings
 * are rendered from (shared/provisioner), and what its members are shown.
 */
export async function projectRoleAssignments(db: Db, projectId: string): Promise<RoleAssignmentView[]> {
  const chain = await rows<{ id: string; depth: number }>(
    db,
    sql`with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from projects where id = ${projectId}
          union all select p.id, p.parent_id, up.depth + 1 from projects p join up on p.id = up.parent_id where up.depth < 100)
        select id, depth from up`,
  );
  if (chain.length === 0) return [];
  const depth = new Map(chain.map((c) => [c.id, c.depth]));
  const found = await assignmentsAt(db, { scope: 'project', projectIds: chain.map((c) => c.id) });
  return found
    .map((a) => ({
      id: a.id,
      groupId: a.groupId,
      groupName: a.groupName,
      roleId: a.roleId,
      roleName: a.roleName,
      projectId,
      inheritedFrom: a.projectId === projectId ? null : a.projectId,
      createdAt: a.createdAt,
    }))
    .sort(
      (x, y) =>
        (depth.get(x.inheritedFrom ?? projectId) ?? 0) - (depth.get(y.inheritedFrom ?? projectId) ?? 0) ||
        x.groupName.localeCompare(y.groupName),
    );
}

export function listRoleAssignments(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { projectId: string },
): Promise<RoleAssignmentView[]> {
  return projectRoleAssignments(ctx.db, input.projectId);
}

/** `roleId` is a custom role of this project (an inherited one is assigned where it is defined) or a preset. */
export function assignRole(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; projectId: string; groupId: string; roleId: string },
): Promise<RoleAssignmentView> {
  const { ws, projectId, groupId, roleId } = input;
  return assignOnce('The group already has this role in this project.', () =>
    ctx.db.transaction(async (tx) => {
      const g = await assignableGroup(tx, ws.workspaceId, groupId);
      const preset = isPresetRole(roleId);
      const custom = preset ? undefined : await findCustomRole(tx, projectId, roleId);
      if (!preset && !custom)
        throw new RuleViolationError('The role does not exist in this project.', 'UNKNOWN_ROLE');
      const { createdAt, ...assigned } = await insertAssignment(
        tx,
        actor,
        ws,
        g,
        preset ? { scope: 'project', projectId, roleName: roleId } : { scope: 'project', projectId, roleId },
        { action: 'role.assigned', data: { projectId, groupId, roleId } },
      );
      return {
        ...assigned,
        roleId,
        roleName: custom?.name ?? roleId,
        projectId,
        inheritedFrom: null,
        createdAt,
      };
    }),
  );
}

export async function unassignRole(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; projectId: string; assignmentId: string },
): Promise<void> {
  const { ws, projectId, assignmentId } = input;
  await ctx.db.transaction((tx) =>
    deleteAssignment(
      tx,
      actor,
      ws,
      assignmentId,
      { scope: 'project', projectIds: [projectId] },
      { action: 'role.unassigned', data: { projectId } },
    ),
  );
}
