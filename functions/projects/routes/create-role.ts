import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { ProjectParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireProject } from '../../../shared/workspaces/access';
import { createRole } from '../../../shared/workspaces/roles';
import type { ProjectsDeps } from '../deps';
import { RoleName, RoleSchema, Rules } from '../schemas';

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
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await createRole(deps, actor, { ws, projectId, ...c.req.valid('json') }), 201);
  },
);
