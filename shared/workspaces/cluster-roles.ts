import { and, asc, eq } from 'drizzle-orm';
import { type Authz, authzTransaction } from '../authz';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { groups, roleAssignments } from '../db/schema';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import { assignableGroup } from './groups';
import type { WorkspaceClusterRole } from './presets';

export type ClusterRoleAssignmentView = {
  id: string;
  groupId: string;
  groupName: string;
  clusterRoleName: string;
  createdAt: string;
};

export async function listClusterRoleAssignments(db: Db, wsId: string): Promise<ClusterRoleAssignmentView[]> {
  const rows = await db
    .select({
      id: roleAssignments.id,
      groupId: groups.id,
      groupName: groups.name,
      clusterRoleName: roleAssignments.roleName,
      createdAt: roleAssignments.createdAt,
    })
    .from(roleAssignments)
    .innerJoin(groups, eq(groups.id, roleAssignments.groupId))
    .where(and(eq(roleAssignments.workspaceId, wsId), eq(roleAssignments.scope, 'workspace')))
    .orderBy(asc(groups.name), asc(roleAssignments.roleName));
  return rows.map((r) => ({
    ...r,
    clusterRoleName: r.clusterRoleName!,
    createdAt: r.createdAt.toISOString(),
  }));
}

export async function assignClusterRole(
  authz: Authz,
  actor: Actor,
  ws: WorkspaceAccess,
  input: { groupId: string; clusterRoleName: WorkspaceClusterRole },
) {
  try {
    return await authzTransaction(authz, { workspaces: [ws.workspaceId] }, async (tx) => {
      const g = await assignableGroup(tx, ws.workspaceId, input.groupId);
      const id = newId('ra');
      const [row] = await tx
        .insert(roleAssignments)
        .values({
          id,
          workspaceId: ws.workspaceId,
          groupId: g.id,
          scope: 'workspace',
          roleName: input.clusterRoleName,
        })
        .returning();
      await recordChange(tx, actor, ws, {
        action: 'clusterrole.assigned',
        targetType: 'assignment',
        targetId: id,
        data: { ...input },
      });
      return {
        id,
        groupId: g.id,
        groupName: g.name,
        clusterRoleName: input.clusterRoleName,
        createdAt: row!.createdAt.toISOString(),
      };
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError('The group already has this cluster role.', 'ALREADY_ASSIGNED');
    throw err;
  }
}

export async function unassignClusterRole(
  authz: Authz,
  actor: Actor,
  ws: WorkspaceAccess,
  assignmentId: string,
) {
  await authzTransaction(authz, { workspaces: [ws.workspaceId] }, async (tx) => {
    const gone = await tx
      .delete(roleAssignments)
      .where(
        and(
          eq(roleAssignments.id, assignmentId),
          eq(roleAssignments.workspaceId, ws.workspaceId),
          eq(roleAssignments.scope, 'workspace'),
        ),
      )
      .returning();
    if (gone.length === 0) throw new NotFoundError('No such assignment.', 'ASSIGNMENT_NOT_FOUND');
    await recordChange(tx, actor, ws, {
      action: 'clusterrole.unassigned',
      targetType: 'assignment',
      targetId: assignmentId,
    });
  });
}
