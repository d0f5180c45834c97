import { authzTransaction } from '../authz';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { assignmentsAt, assignOnce, deleteAssignment, insertAssignment } from './assignments';
import type { WorkspacesContext } from './context';
import { assignableGroup } from './groups';
import type { WorkspaceClusterRole } from './presets';

export type ClusterRoleAssignmentView = {
  id: string;
  groupId: string;
  groupName: string;
  clusterRoleName: string;
  createdAt: string;
};

export async function listClusterRoleAssignments(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess },
): Promise<ClusterRoleAssignmentView[]> {
  const found = await assignmentsAt(ctx.db, { scope: 'workspace', workspaceId: input.ws.workspaceId });
  return found.map((a) => ({
    id: a.id,
    groupId: a.groupId,
    groupName: a.groupName,
    clusterRoleName: a.roleName,
    createdAt: a.createdAt,
  }));
}

/** Cluster roles decide who is a workspace admin, so assigning one invalidates the workspace's cached access. */
export function assignClusterRole(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string; clusterRoleName: WorkspaceClusterRole },
): Promise<ClusterRoleAssignmentView> {
  const { ws, groupId, clusterRoleName } = input;
  return assignOnce('The group already has this cluster role.', () =>
    authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
      const g = await assignableGroup(tx, ws.workspaceId, groupId);
      const { createdAt, ...assigned } = await insertAssignment(
        tx,
        actor,
        ws,
        g,
        { scope: 'workspace', roleName: clusterRoleName },
        { action: 'clusterrole.assigned', data: { groupId, clusterRoleName } },
      );
      return { ...assigned, clusterRoleName, createdAt };
    }),
  );
}

/** Invalidates the workspace's cached access, as assigning does. */
export async function unassignClusterRole(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; assignmentId: string },
): Promise<void> {
  const { ws, assignmentId } = input;
  await authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, (tx) =>
    deleteAssignment(
      tx,
      actor,
      ws,
      assignmentId,
      { scope: 'workspace', workspaceId: ws.workspaceId },
      { action: 'clusterrole.unassigned' },
    ),
  );
}
