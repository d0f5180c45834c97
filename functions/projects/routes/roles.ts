import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { requireProject } from '../../../shared/workspaces/access';
import {
  createRole,
  deleteRole,
  getRole,
  listRoles,
  PolicyRule,
  updateRole,
} from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../app';
import { RoleRef } from '../schemas';

const ProjectParams = z.object({ projectId: idParam('projectId', 'prj') });
const RoleParams = ProjectParams.extend({
  roleId: RoleRef.openapi({ param: { name: 'roleId', in: 'path' }, example: 'role-abcdefghijklmnopqrst' }),
});
const RoleName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, 'lowercase letters, digits, "-" and ".", at most 63');
const Rules = z.array(PolicyRule.openapi('PolicyRule')).min(1).max(50);
const RoleSchema = z
  .object({ id: z.string(), name: z.string(), preset: z.boolean(), rules: z.array(PolicyRule) })
  .openapi('ProjectRole');

export const listRolesOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/projects/{projectId}/roles',
    tags: ['Project roles'],
    summary: 'Preset and custom roles of a project',
    request: { params: ProjectParams },
    responses: {
      200: {
        description: 'Roles',
        content: {
          'application/json': { schema: z.object({ items: z.array(RoleSchema), nextCursor: z.null() }) },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    await requireProject(deps.authz, projectId, c.var.principal.userId, 'read');
    return c.json({ items: await listRoles(deps.db, projectId), nextCursor: null }, 200);
  },
);

export const createRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/projects/{projectId}/roles',
    tags: ['Project roles'],
    summary: 'Create a custom role from Kubernetes PolicyRules (workspace admins)',
    request: {
      params: ProjectParams,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ name: RoleName, rules: Rules }) } },
      },
    },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: RoleSchema } } },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    return c.json(
      await createRole(deps.db, actorOf(c, deps.auth.trustProxy), ws, projectId, c.req.valid('json')),
      201,
    );
  },
);

export const getRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/projects/{projectId}/roles/{roleId}',
    tags: ['Project roles'],
    summary: 'A role (preset name or custom role id)',
    request: { params: RoleParams },
    responses: {
      200: { description: 'The role', content: { 'application/json': { schema: RoleSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, roleId } = c.req.valid('param');
    await requireProject(deps.authz, projectId, c.var.principal.userId, 'read');
    return c.json(await getRole(deps.db, projectId, roleId), 200);
  },
);

export const updateRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'put',
    path: '/api/v1/projects/{projectId}/roles/{roleId}',
    tags: ['Project roles'],
    summary: 'Replace a custom role (workspace admins; presets are read-only: 422)',
    request: {
      params: RoleParams,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ name: RoleName.optional(), rules: Rules }) } },
      },
    },
    responses: {
      200: { description: 'Updated', content: { 'application/json': { schema: RoleSchema } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, roleId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    return c.json(
      await updateRole(deps.db, actorOf(c, deps.auth.trustProxy), ws, projectId, roleId, c.req.valid('json')),
      200,
    );
  },
);

export const deleteRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/projects/{projectId}/roles/{roleId}',
    tags: ['Project roles'],
    summary: 'Delete a custom role and its assignments (workspace admins)',
    request: { params: RoleParams },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, roleId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    await deleteRole(deps.db, actorOf(c, deps.auth.trustProxy), ws, projectId, roleId);
    return c.body(null, 204);
  },
);
