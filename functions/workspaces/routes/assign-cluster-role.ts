import { actorOf } from '../../../shared/auth/middleware';
import { assignmentBody, ClusterRoleAssignmentSchema } from '../../../shared/http/assignments';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { assignClusterRole } from '../../../shared/workspaces/cluster-roles';
import { WORKSPACE_CLUSTER_ROLES } from '../../../shared/workspaces/presets';
import type { WorkspacesDeps } from '../deps';

export const assignClusterRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/clusterroleassignments',
    tags: ['Groups'],
    summary: 'Give a group a preset cluster role (workspace admins)',
    request: { params: WsParams, body: assignmentBody({ clusterRoleName: z.enum(WORKSPACE_CLUSTER_ROLES) }) },
    responses: {
      201: {
        description: 'Assigned',
        content: { 'application/json': { schema: ClusterRoleAssignmentSchema } },
      },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await assignClusterRole(deps, actor, { ws, ...c.req.valid('json') }), 201);
  },
);
