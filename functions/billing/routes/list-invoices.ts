import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { listInvoices } from '../../../shared/billing/views';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import type { BillingDeps } from '../deps';

const Invoice = z
  .object({
    id: z.string(),
    number: z.string().nullable(),
    status: z.string().nullable(),
    amountDue: z.number().int(),
    amountPaid: z.number().int(),
    currency: z.string(),
    periodStart: z.string(),
    periodEnd: z.string(),
    hostedInvoiceUrl: z.string().nullable(),
    pdfUrl: z.string().nullable(),
  })
  .openapi('Invoice');

/** Stripe pages by the last invoice id; the cursor is that id, so it is checked for its shape only. */
const InvoiceQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .regex(/^in_[A-Za-z0-9]{1,200}$/, 'an invoice id from a previous page')
    .optional(),
});

export const listInvoicesOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/billing/invoices',
    tags: ['Billing'],
    summary:
      "The organization's invoices, newest first, with links to Stripe's invoice page and PDF (org admins)",
    request: { params: OrgParam, query: InvoiceQuery },
    responses: {
      200: {
        description: 'Invoices',
        content: {
          'application/json': {
            schema: z.object({ items: z.array(Invoice), nextCursor: z.string().nullable() }),
          },
        },
      },
      ...problems(401, 403, 404, 409, 503),
    },
  }),
  (deps: BillingDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const { limit, cursor } = c.req.valid('query');
    const input = { orgId, limit, ...(cursor ? { cursor } : {}) };
    return c.json(await listInvoices(deps.billing, actorOf(c, deps.auth.trustProxy), input), 200);
  },
);
