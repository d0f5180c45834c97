import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { ProjectAssignmentParams } from '../../../shared/http/params';
import { requireProject } from '../../../shared/workspaces/access';
import { unassignRole } from '../../../shared/workspaces/role-assignments';
import type { ProjectsDeps } from '../deps';

export const unassignRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/projects/{projectId}/roleassignments/{assignmentId}',
    tags: ['Project roles'],
    summary: 'Remove a role assignment (workspace admins)',
    request: { params: ProjectAssignmentParams },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, assignmentId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    await unassignRole(deps, actorOf(c, deps.auth.trustProxy), { ws, projectId, assignmentId });
    return c.body(null, 204);
  },
);
