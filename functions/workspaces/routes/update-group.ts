import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { GroupParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { updateGroup } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';
import { GroupName, GroupSchema, ParentGroupId } from '../schemas';

export const updateGroupOperation = defineSignedInOperation(
  createRoute({
    method: 'patch',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}',
    tags: ['Groups'],
    summary: 'Rename or move a group (workspace admins; a cycle is 422)',
    request: {
      params: GroupParams,
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({ name: GroupName.optional(), parentId: ParentGroupId }) },
        },
      },
    },
    responses: {
      200: { description: 'Updated', content: { 'application/json': { schema: GroupSchema } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await updateGroup(deps, actor, { ...c.req.valid('json'), ws, groupId }), 200);
  },
);
