import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { requireProject } from '../../../shared/workspaces/access';
import { updateRole } from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../deps';
import { RoleName, RoleParams, RoleSchema, Rules } from '../schemas';

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
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await updateRole(deps, actor, { ws, projectId, roleId, ...c.req.valid('json') }), 200);
  },
);
