import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { addGroupMember, listGroupMembers, removeGroupMember } from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../app';
import { GroupParams } from '../schemas';

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
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json({ items: await listGroupMembers(deps.db, wsId, groupId), nextCursor: null }, 200);
  },
);

export const addGroupMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}/members',
    tags: ['Groups'],
    summary: 'Add a workspace member to a group (workspace admins)',
    request: {
      params: GroupParams,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ userId: idSchema('usr') }) } },
      },
    },
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
    const { userId } = c.req.valid('json');
    await addGroupMember(deps.authz, actorOf(c, deps.auth.trustProxy), ws, groupId, userId);
    return c.json({ groupId, userId }, 201);
  },
);

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
    await removeGroupMember(deps.authz, actorOf(c, deps.auth.trustProxy), ws, groupId, userId);
    return c.body(null, 204);
  },
);
