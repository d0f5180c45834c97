import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { createGroup } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';
import { GroupName, GroupSchema, ParentGroupId } from '../schemas';

export const createGroupOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/groups',
    tags: ['Groups'],
    summary: 'Create a group (workspace admins)',
    request: {
      params: WsParams,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ name: GroupName, parentId: ParentGroupId }) } },
      },
    },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: GroupSchema } } },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await createGroup(deps, actor, { ...c.req.valid('json'), ws }), 201);
  },
);
