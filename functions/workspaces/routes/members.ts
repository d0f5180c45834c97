import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireWorkspace } from '../../../shared/workspaces/access';
import {
  addWorkspaceMember,
  listWorkspaceMembers,
  removeWorkspaceMember,
} from '../../../shared/workspaces/members';
import type { WorkspacesDeps } from '../app';
import { WsParams } from '../schemas';

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
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json(await listWorkspaceMembers(deps.db, wsId, c.req.valid('query')), 200);
  },
);

export const addWorkspaceMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/members',
    tags: ['Workspace members'],
    summary: 'Add an organization member (joins WSUsers; workspace or org admins)',
    request: {
      params: WsParams,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ userId: idSchema('usr') }) } },
      },
    },
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
    return c.json(
      await addWorkspaceMember(deps.authz, actorOf(c, deps.auth.trustProxy), ws, c.req.valid('json').userId),
      201,
    );
  },
);

export const removeWorkspaceMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/members/{userId}',
    tags: ['Workspace members'],
    summary: "Remove a member; they leave all the workspace's groups",
    request: { params: WsParams.extend({ userId: idParam('userId', 'usr') }) },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, userId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'membership');
    await removeWorkspaceMember(deps.authz, actorOf(c, deps.auth.trustProxy), ws, userId);
    return c.body(null, 204);
  },
);
