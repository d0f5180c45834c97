import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsMemberParams } from '../../../shared/http/params';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { removeWorkspaceMember } from '../../../shared/workspaces/members';
import type { WorkspacesDeps } from '../deps';

export const removeWorkspaceMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/members/{userId}',
    tags: ['Workspace members'],
    summary: "Remove a member; they leave all the workspace's groups",
    request: { params: WsMemberParams },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, userId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'membership');
    await removeWorkspaceMember(deps, actorOf(c, deps.auth.trustProxy), { ws, userId });
    return c.body(null, 204);
  },
);
