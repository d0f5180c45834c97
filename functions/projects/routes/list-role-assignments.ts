import { actorOf } from '../../../shared/auth/middleware';
import { RoleAssignmentSchema } from '../../../shared/http/assignments';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { wholeListOf } from '../../../shared/http/pagination';
import { ProjectParams } from '../../../shared/http/params';
import { requireProject } from '../../../shared/workspaces/access';
import { listRoleAssignments } from '../../../shared/workspaces/role-assignments';
import type { ProjectsDeps } from '../deps';

export const listRoleAssignmentsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/projects/{projectId}/roleassignments',
    tags: ['Project roles'],
    summary: 'Role assignments that apply to the project: its own and inherited ones',
    request: { params: ProjectParams },
    responses: {
      200: {
        description: 'Assignments',
        content: { 'application/json': { schema: wholeListOf(RoleAssignmentSchema) } },
      },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    await requireProject(deps.authz, projectId, c.var.principal.userId, 'read');
    const items = await listRoleAssignments(deps, actorOf(c, deps.auth.trustProxy), { projectId });
    return c.json({ items, nextCursor: null }, 200);
  },
);
