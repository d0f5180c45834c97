import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { billingOverview } from '../../../shared/billing/views';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import type { BillingDeps } from '../deps';

const Billing = z
  .object({
    enabled: z.boolean(),
    status: z.enum(['none', 'active', 'past_due', 'canceled']),
    hasPaymentMethod: z.boolean(),
    customerId: z.string().optional(),
    items: z.array(
      z.object({
        workspaceId: z.string(),
        planId: z.string(),
        amount: z.number().int(),
        currency: z.string(),
      }),
    ),
    nextInvoice: z
      .object({ amountDue: z.number().int(), currency: z.string(), periodEnd: z.string() })
      .optional(),
  })
  .openapi('Billing');

export const getBillingOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/billing',
    tags: ['Billing'],
    summary: "The organization's billing: status, payment method, paid workspaces, next invoice (org admins)",
    request: { params: OrgParam },
    responses: {
      200: { description: 'Billing', content: { 'application/json': { schema: Billing } } },
      ...problems(401, 403, 404, 503),
    },
  }),
  (deps: BillingDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    return c.json(await billingOverview(deps.billing, actorOf(c, deps.auth.trustProxy), { orgId }), 200);
  },
);
