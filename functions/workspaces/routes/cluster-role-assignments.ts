import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireWorkspace } from '../../../shared/workspaces/access';
import {
  assignClusterRole,
  listClusterRoleAssignments,
  unassignClusterRole,
} from '../../../shared/workspaces/cluster-roles';
import { WORKSPACE_CLUSTER_ROLES } from '../../../shared/workspaces/presets';
import type { WorkspacesDeps } from '../app';
import { WsParams } from '../schemas';

const Assignment = z
  .object({
    id: z.string(),
    groupId: z.string(),
    groupName: z.string(),
    clusterRoleName: z.string(),
    createdAt: z.string(),
  })
  .openapi('ClusterRoleAssignment');

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
        content: {
          'application/json': { schema: z.object({ items: z.array(Assignment), nextCursor: z.null() }) },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json({ items: await listClusterRoleAssignments(deps.db, wsId), nextCursor: null }, 200);
  },
);

export const assignClusterRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/clusterroleassignments',
    tags: ['Groups'],
    summary: 'Give a group a preset cluster role (workspace admins)',
    request: {
      params: WsParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              groupId: idSchema('grp'),
              clusterRoleName: z.enum(WORKSPACE_CLUSTER_ROLES),
            }),
          },
        },
      },
    },
    responses: {
      201: { description: 'Assigned', content: { 'application/json': { schema: Assignment } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    return c.json(
      await assignClusterRole(deps.authz, actorOf(c, deps.auth.trustProxy), ws, c.req.valid('json')),
      201,
    );
  },
);

export const unassignClusterRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/clusterroleassignments/{assignmentId}',
    tags: ['Groups'],
    summary: 'Remove a cluster-role assignment (workspace admins)',
    request: { params: WsParams.extend({ assignmentId: idParam('assignmentId', 'ra') }) },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, assignmentId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await unassignClusterRole(deps.authz, actorOf(c, deps.auth.trustProxy), ws, assignmentId);
    return c.body(null, 204);
  },
);
