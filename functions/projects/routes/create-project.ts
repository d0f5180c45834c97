import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { createProject } from '../../../shared/workspaces/projects';
import type { ProjectsDeps } from '../deps';
import { ProjectSchema } from '../schemas';

/** The name is the namespace's, so it must be a DNS-1123 label. */
const DnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'a DNS-1123 label: lowercase letters, digits and "-", at most 63',
  );

export const createProjectOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/projects',
    tags: ['Projects'],
    summary: 'Create a project; its name is the namespace (workspace admins)',
    request: {
      params: WsParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({ name: DnsLabel, parentId: idSchema('prj').nullable().optional() }),
          },
        },
      },
    },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: ProjectSchema } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await createProject(deps, actor, { ws, ...c.req.valid('json') }), 201);
  },
);
