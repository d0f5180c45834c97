import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { createWorkspace } from '../../../shared/workspaces/workspaces';
import type { WorkspacesDeps } from '../deps';
import { acceptedResponse, DedicatedNodeConfig } from '../schemas';

const WsName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/,
    'starts with a letter or digit; letters, digits, space, ".", "_", "-"; at most 63',
  );

export const createWorkspaceOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/organizations/{orgId}/workspaces',
    tags: ['Workspaces'],
    summary: 'Create a workspace (a vCluster) with a plan (org admins)',
    request: {
      params: OrgParam,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              name: WsName,
              planId: z.string().min(1).max(64),
              dedicatedNodeConfig: DedicatedNodeConfig.optional(),
            }),
          },
        },
      },
    },
    responses: {
      ...acceptedResponse,
      ...problems(401, 402, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await createWorkspace(deps, actor, { ...c.req.valid('json'), orgId }), 202);
  },
);
