import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { addWorkspaceMember } from '../../../shared/workspaces/members';
import type { WorkspacesDeps } from '../deps';
import { UserIdBody } from '../schemas';

export const addWorkspaceMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/members',
    tags: ['Workspace members'],
    summary: 'Add an organization member (joins WSUsers; workspace or org admins)',
    request: { params: WsParams, body: UserIdBody },
    responses: {
      201: {
        description: 'Added',
        content: { 'application/json': { schema: z.object({ userId: z.string() }) } },
      },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'membership');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await addWorkspaceMember(deps, actor, { ...c.req.valid('json'), ws }), 201);
  },
);
