import { actorOf } from '../../../shared/auth/middleware';
import { assignmentBody, RoleAssignmentSchema } from '../../../shared/http/assignments';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { ProjectParams } from '../../../shared/http/params';
import { requireProject } from '../../../shared/workspaces/access';
import { assignRole } from '../../../shared/workspaces/role-assignments';
import type { ProjectsDeps } from '../deps';
import { RoleRef } from '../schemas';

export const assignRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/projects/{projectId}/roleassignments',
    tags: ['Project roles'],
    summary: 'Give a group a role in the project and its descendants (workspace admins)',
    request: {
      params: ProjectParams,
      body: assignmentBody({ roleId: RoleRef.openapi({ description: 'A custom role id or a preset name' }) }),
    },
    responses: {
      201: { description: 'Assigned', content: { 'application/json': { schema: RoleAssignmentSchema } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await assignRole(deps, actor, { ws, projectId, ...c.req.valid('json') }), 201);
  },
);
