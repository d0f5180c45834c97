import type { Actor } from '../../shared/audit';
import { actorOf } from '../../shared/auth/middleware';
import { requireOrgRole } from '../../shared/authz';
import type { BillingContext } from '../../shared/billing/stripe';
import { createRoute, defineSignedInOperation, problems } from '../../shared/http/openapi';
import { OrgParam } from '../../shared/http/params';
import type { BillingDeps } from './deps';
import { RedirectUrl, ReturnUrlBody } from './schemas';

type SessionVerb = (
  ctx: BillingContext,
  actor: Actor,
  input: { orgId: string; returnUrl: string },
) => Promise<{ url: string }>;

/**
 * The two operations that send an org admin's browser to Stripe (Checkout, the Customer Portal) differ only in
 * their path, summary and verb: `{ returnUrl }` in, `{ url }` out.
 */
export function stripeRedirectOperation(
  path: `/api/v1/organizations/{orgId}/billing/${string}`,
  summary: string,
  verb: SessionVerb,
) {
  return defineSignedInOperation(
    createRoute({
      method: 'post',
      path,
      tags: ['Billing'],
      summary,
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
      return c.json(await verb(deps.billing, actorOf(c, deps.auth.trustProxy), input), 200);
    },
  );
}
