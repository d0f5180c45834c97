import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { GroupParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { addGroupMember } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../deps';
import { UserIdBody } from '../schemas';

export const addGroupMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}/members',
    tags: ['Groups'],
    summary: 'Add a workspace member to a group (workspace admins)',
    request: { params: GroupParams, body: UserIdBody },
    responses: {
      201: {
        description: 'Added',
        content: { 'application/json': { schema: z.object({ groupId: z.string(), userId: z.string() }) } },
      },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await addGroupMember(deps, actor, { ...c.req.valid('json'), ws, groupId }), 201);
  },
);
