import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { wholeListOf } from '../../../shared/http/pagination';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireWorkspace } from '../../../shared/workspaces/access';
import { listProjects } from '../../../shared/workspaces/projects';
import type { ProjectsDeps } from '../deps';
import { ProjectNodeSchema, ProjectSchema } from '../schemas';

export const listProjectsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/projects',
    tags: ['Projects'],
    summary: 'Projects (namespaces); ?hierarchical=true returns a tree',
    request: { params: WsParams, query: z.object({ hierarchical: z.enum(['true', 'false']).optional() }) },
    responses: {
      200: {
        description: 'Projects',
        content: {
          'application/json': { schema: wholeListOf(z.union([ProjectNodeSchema, ProjectSchema])) },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    const items = await listProjects(deps, actorOf(c, deps.auth.trustProxy), {
      ws,
      hierarchical: c.req.valid('query').hierarchical === 'true',
    });
    return c.json({ items, nextCursor: null }, 200);
  },
);
