import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsProjectParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { getProject } from '../../../shared/workspaces/projects';
import type { ProjectsDeps } from '../deps';
import { ProjectSchema } from '../schemas';

export const getProjectOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/projects/{projectId}',
    tags: ['Projects'],
    summary: 'A project',
    request: { params: WsProjectParams },
    responses: {
      200: { description: 'The project', content: { 'application/json': { schema: ProjectSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId, projectId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json(await getProject(deps, actorOf(c, deps.auth.trustProxy), { ws, projectId }), 200);
  },
);
