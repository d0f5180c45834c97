import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsAssignmentParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { unassignClusterRole } from '../../../shared/workspaces/cluster-roles';
import type { WorkspacesDeps } from '../deps';

export const unassignClusterRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/clusterroleassignments/{assignmentId}',
    tags: ['Groups'],
    summary: 'Remove a cluster-role assignment (workspace admins)',
    request: { params: WsAssignmentParams },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, assignmentId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await unassignClusterRole(deps, actorOf(c, deps.auth.trustProxy), { ws, assignmentId });
    return c.body(null, 204);
  },
);
