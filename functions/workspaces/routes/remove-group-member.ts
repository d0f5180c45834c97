import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import { GroupParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { removeGroupMember } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';

export const removeGroupMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}/members/{userId}',
    tags: ['Groups'],
    summary: 'Remove someone from a group (workspace admins)',
    request: { params: GroupParams.extend({ userId: idParam('userId', 'usr') }) },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId, userId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await removeGroupMember(deps, actorOf(c, deps.auth.trustProxy), { ws, groupId, userId });
    return c.body(null, 204);
  },
);
