import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireProject } from '../../../shared/workspaces/access';
import { assignRole, listRoleAssignments, unassignRole } from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../app';
import { RoleRef } from '../schemas';

const ProjectParams = z.object({ projectId: idParam('projectId', 'prj') });
const Assignment = z
  .object({
    id: z.string(),
    groupId: z.string(),
    groupName: z.string(),
    roleId: z.string(),
    roleName: z.string(),
    projectId: z.string(),
    inheritedFrom: z
      .string()
      .nullable()
      .openapi({ description: 'The ancestor project the assignment is made on' }),
    createdAt: z.string(),
  })
  .openapi('RoleAssignment');

export const listRoleAssignmentsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/projects/{projectId}/roleassignments',
    tags: ['Project roles'],
    summary: 'Role assignments that apply to the project: its own and inherited ones',
    request: { params: ProjectParams },
    responses: {
      200: {
        description: 'Assignments',
        content: {
          'application/json': { schema: z.object({ items: z.array(Assignment), nextCursor: z.null() }) },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    await requireProject(deps.authz, projectId, c.var.principal.userId, 'read');
    return c.json({ items: await listRoleAssignments(deps.db, projectId), nextCursor: null }, 200);
  },
);

export const assignRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/projects/{projectId}/roleassignments',
    tags: ['Project roles'],
    summary: 'Give a group a role in the project and its descendants (workspace admins)',
    request: {
      params: ProjectParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              groupId: idSchema('grp'),
              roleId: RoleRef.openapi({ description: 'A custom role id or a preset name' }),
            }),
          },
        },
      },
    },
    responses: {
      201: { description: 'Assigned', content: { 'application/json': { schema: Assignment } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    return c.json(
      await assignRole(deps.db, actorOf(c, deps.auth.trustProxy), ws, projectId, c.req.valid('json')),
      201,
    );
  },
);

export const unassignRoleOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/projects/{projectId}/roleassignments/{assignmentId}',
    tags: ['Project roles'],
    summary: 'Remove a role assignment (workspace admins)',
    request: { params: ProjectParams.extend({ assignmentId: idParam('assignmentId', 'ra') }) },
    responses: { 204: { description: 'Removed' }, ...problems(401, 403, 404) },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { projectId, assignmentId } = c.req.valid('param');
    const ws = await requireProject(deps.authz, projectId, c.var.principal.userId, 'manage');
    await unassignRole(deps.db, actorOf(c, deps.auth.trustProxy), ws, projectId, assignmentId);
    return c.body(null, 204);
  },
);
