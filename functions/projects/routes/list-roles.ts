import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { wholeListOf } from '../../../shared/http/pagination';
import { ProjectParams } from '../../../shared/http/params';
import { requireProject } from '../../../shared/workspaces/access';
import { listRoles } from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../deps';
import { RoleSchema } from '../schemas';

export const listRolesOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/projects/{projectId}/roles',
    tags: ['Project roles'],
    summary: 'Preset and custom roles of a project',
    request: { params: ProjectParams },
    responses: {
      200: { description: 'Roles', content: { 'application/json': { schema: wholeListOf(RoleSchema) } } },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    await requireProject(deps.authz, projectId, c.var.principal.userId, 'read');
    const items = await listRoles(deps, actorOf(c, deps.auth.trustProxy), { projectId });
    return c.json({ items, nextCursor: null }, 200);
  },
);
