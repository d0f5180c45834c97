import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgWsIdParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireOrgWorkspace } from '../../../shared/workspaces/access';
import { changeWorkspacePlan } from '../../../shared/workspaces/workspaces';
import type { WorkspacesDeps } from '../deps';
import { acceptedResponse, DedicatedNodeConfig } from '../schemas';

export const changePlanOperation = defineSignedInOperation(
  createRoute({
    method: 'put',
    path: '/api/v1/organizations/{orgId}/workspaces/{wsId}',
    tags: ['Workspaces'],
    summary: 'Change the plan or dedicated nodes (org admins)',
    request: {
      params: OrgWsIdParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({
                planId: z.string().min(1).max(64).optional(),
                dedicatedNodeConfig: DedicatedNodeConfig.nullable().optional(),
              })
              .refine(
                (b) => b.planId !== undefined || b.dedicatedNodeConfig !== undefined,
                'give planId or dedicatedNodeConfig',
              ),
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
    const { orgId, wsId } = c.req.valid('param');
    await requireOrgWorkspace(deps.authz, orgId, wsId, c.var.principal.userId, 'lifecycle');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await changeWorkspacePlan(deps, actor, { ...c.req.valid('json'), orgId, wsId }), 202);
  },
);
