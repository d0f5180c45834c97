import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireWorkspace } from '../../../shared/workspaces/access';
import {
  createGroup,
  deleteGroup,
  getGroup,
  groupTree,
  updateGroup,
} from '../../../shared/workspaces/groups';
import type { WorkspacesDeps } from '../app';
import { GroupName, GroupParams, GroupSchema, GroupTreeSchema, WsParams } from '../schemas';

const ParentId = idSchema('grp').nullable().optional();

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
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json({ items: await groupTree(deps.db, wsId), nextCursor: null }, 200);
  },
);

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
        content: { 'application/json': { schema: z.object({ name: GroupName, parentId: ParentId }) } },
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
    return c.json(await createGroup(deps.db, actorOf(c, deps.auth.trustProxy), ws, c.req.valid('json')), 201);
  },
);

export const getGroupOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}',
    tags: ['Groups'],
    summary: 'A group',
    request: { params: GroupParams },
    responses: {
      200: { description: 'The group', content: { 'application/json': { schema: GroupSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json(await getGroup(deps.db, wsId, groupId), 200);
  },
);

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
          'application/json': { schema: z.object({ name: GroupName.optional(), parentId: ParentId }) },
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
    return c.json(
      await updateGroup(deps.authz, actorOf(c, deps.auth.trustProxy), ws, groupId, c.req.valid('json')),
      200,
    );
  },
);

export const deleteGroupOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/groups/{groupId}',
    tags: ['Groups'],
    summary: 'Delete a group (workspace admins; 409 with subgroups or for a default group)',
    request: { params: GroupParams },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { wsId, groupId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await deleteGroup(deps.authz, actorOf(c, deps.auth.trustProxy), ws, groupId);
    return c.body(null, 204);
  },
);
