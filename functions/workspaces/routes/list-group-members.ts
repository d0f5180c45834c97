import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { GroupParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { listGroupMembers } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';

const GroupMember = z
  .object({ userId: z.string(), email: z.string(), displayName: z.string() })
  .openapi('GroupMember');

export const listGroupMembersOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}/members',
    tags: ['Groups'],
    summary: 'Direct members of a group',
    request: { params: GroupParams },
    responses: {
      200: {
        description: 'Members',
        content: {
          'application/json': { schema: z.object({ items: z.array(GroupMember), nextCursor: z.null() }) },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    const items = await listGroupMembers(deps, actorOf(c, deps.auth.trustProxy), { ws, groupId });
    return c.json({ items, nextCursor: null }, 200);
  },
);
