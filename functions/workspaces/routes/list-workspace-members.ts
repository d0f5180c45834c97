import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { listWorkspaceMembers } from '../../../shared/workspaces/members';
import type { WorkspacesDeps } from '../deps';

const Member = z
  .object({ userId: z.string(), email: z.string(), displayName: z.string(), joinedAt: z.string() })
  .openapi('WorkspaceMember');

export const listWorkspaceMembersOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/members',
    tags: ['Workspace members'],
    summary: 'Workspace members',
    request: { params: WsParams, query: PageQuery },
    responses: {
      200: { description: 'Members', content: { 'application/json': { schema: pageOf(Member) } } },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await listWorkspaceMembers(deps, actor, { ws, page: c.req.valid('query') }), 200);
  },
);
