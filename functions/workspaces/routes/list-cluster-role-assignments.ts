import { actorOf } from '../../../shared/auth/middleware';
import { ClusterRoleAssignmentSchema } from '../../../shared/http/assignments';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { wholeListOf } from '../../../shared/http/pagination';
import { WsParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { listClusterRoleAssignments } from '../../../shared/workspaces/cluster-roles';
import type { WorkspacesDeps } from '../deps';

export const listClusterRoleAssignmentsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/clusterroleassignments',
    tags: ['Groups'],
    summary: 'Workspace-wide cluster-role assignments',
    request: { params: WsParams },
    responses: {
      200: {
        description: 'Assignments',
        content: { 'application/json': { schema: wholeListOf(ClusterRoleAssignmentSchema) } },
      },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    const items = await listClusterRoleAssignments(deps, actorOf(c, deps.auth.trustProxy), { ws });
    return c.json({ items, nextCursor: null }, 200);
  },
);
