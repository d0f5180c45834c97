import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { requireProject } from '../../../shared/workspaces/access';
import { getRole } from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../deps';
import { RoleParams, RoleSchema } from '../schemas';

export const getRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/projects/{projectId}/roles/{roleId}',
    tags: ['Project roles'],
    summary: 'A role (preset name or custom role id)',
    request: { params: RoleParams },
    responses: {
      200: { description: 'The role', content: { 'application/json': { schema: RoleSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, roleId } = c.req.valid('param');
    await requireProject(deps.authz, projectId, c.var.principal.userId, 'read');
    return c.json(await getRole(deps, actorOf(c, deps.auth.trustProxy), { projectId, roleId }), 200);
  },
);
