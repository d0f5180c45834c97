import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { groupTree } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';
import { GroupTreeSchema } from '../schemas';

export const listGroupsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/groups',
    tags: ['Groups'],
    summary: 'The group tree',
    request: { params: WsParams },
    responses: {
      200: {
        description: 'Roots with nested children',
        content: {
          'application/json': { schema: z.object({ items: z.array(GroupTreeSchema), nextCursor: z.null() }) },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    const items = await groupTree(deps, actorOf(c, deps.auth.trustProxy), { ws });
    return c.json({ items, nextCursor: null }, 200);
  },
);
