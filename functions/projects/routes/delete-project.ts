import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsProjectParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { deleteProject } from '../../../shared/workspaces/projects';
import type { ProjectsDeps } from '../deps';

export const deleteProjectOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/projects/{projectId}',
    tags: ['Projects'],
    summary: 'Delete a project and its namespace (workspace admins; 409 with child projects)',
    request: { params: WsProjectParams },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId, projectId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await deleteProject(deps, actorOf(c, deps.auth.trustProxy), { ws, projectId });
    return c.body(null, 204);
  },
);
