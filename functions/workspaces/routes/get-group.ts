import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { GroupParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { getGroup } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';
import { GroupSchema } from '../schemas';

export const getGroupOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}',
    tags: ['Groups'],
    summary: 'A group',
    request: { params: GroupParams },
    responses: {
      200: { description: 'The group', content: { 'application/json': { schema: GroupSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json(await getGroup(deps, actorOf(c, deps.auth.trustProxy), { ws, groupId }), 200);
  },
);
