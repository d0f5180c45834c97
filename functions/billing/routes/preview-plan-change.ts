import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { previewPlanChange } from '../../../shared/billing/views';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import type { BillingDeps } from '../deps';

const Preview = z
  .object({
    workspaceId: z.string(),
    fromPlanId: z.string(),
    toPlanId: z.string(),
    currency: z.string(),
    prorationAmount: z.number().int(),
    amountDue: z.number().int(),
    periodEnd: z.string().nullable(),
  })
  .openapi('PlanChangePreview');

export const previewPlanChangeOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/billing/preview',
    tags: ['Billing'],
    summary: 'The prorated cost of moving a workspace to another plan, before it is made (org admins)',
    request: {
      params: OrgParam,
      query: z.object({ workspaceId: idSchema('ws'), planId: z.string().min(1).max(64) }),
    },
    responses: {
      200: { description: 'Preview', content: { 'application/json': { schema: Preview } } },
      ...problems(401, 403, 404, 409, 503),
    },
  }),
  (deps: BillingDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const input = { orgId, ...c.req.valid('query') };
    return c.json(await previewPlanChange(deps.billing, actorOf(c, deps.auth.trustProxy), input), 200);
  },
);
