import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { GroupParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { deleteGroup } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';

export const deleteGroupOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}',
    tags: ['Groups'],
    summary: 'Delete a group (workspace admins; 409 with subgroups or for a default group)',
    request: { params: GroupParams },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await deleteGroup(deps, actorOf(c, deps.auth.trustProxy), { ws, groupId });
    return c.body(null, 204);
  },
);
