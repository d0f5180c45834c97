import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { requireProject } from '../../../shared/workspaces/access';
import { deleteRole } from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../deps';
import { RoleParams } from '../schemas';

export const deleteRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/projects/{projectId}/roles/{roleId}',
    tags: ['Project roles'],
    summary: 'Delete a custom role and its assignments (workspace admins)',
    request: { params: RoleParams },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, roleId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    await deleteRole(deps, actorOf(c, deps.auth.trustProxy), { ws, projectId, roleId });
    return c.body(null, 204);
  },
);
