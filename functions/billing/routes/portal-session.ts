import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createPortalSession } from '../../../shared/billing/views';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import type { BillingDeps } from '../deps';
import { RedirectUrl, ReturnUrlBody } from '../schemas';

export const portalSessionOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/organizations/{orgId}/billing/portal-session',
    tags: ['Billing'],
    summary: 'Open the Stripe Customer Portal: payment methods, invoices, billing details (org admins)',
    request: { params: OrgParam, body: ReturnUrlBody },
    responses: {
      200: {
        description: 'Where to send the browser',
        content: { 'application/json': { schema: RedirectUrl } },
      },
      ...problems(401, 403, 404, 409, 503),
    },
  }),
  (deps: BillingDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const input = { orgId, returnUrl: c.req.valid('json').returnUrl };
    return c.json(await createPortalSession(deps.billing, actorOf(c, deps.auth.trustProxy), input), 200);
  },
);
