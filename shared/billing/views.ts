import { and, eq, isNull } from 'drizzle-orm';
import { billingItems, plans, workspaces } from '../db/schema';
import { BadRequestError, ConflictError, NotFoundError } from '../errors';
import type { Actor } from '../orgs/context';
import { type BillingStatus, ensureCustomer, findAccount, isPaid, lockAccount } from './accounts';
import { type BillingContext, type LiveBilling, live, stripeCall } from './stripe';

export type BillingOverview = {
  enabled: boolean;
  status: BillingStatus;
  hasPaymentMethod: boolean;
  customerId?: string;
  items: { workspaceId: string; planId: string; amount: number; currency: string }[];
  nextInvoice?: { amountDue: number; currency: string; periodEnd: string };
};

async function requireEnabled(ctx: BillingContext): Promise<LiveBilling> {
  const c = await live(ctx);
  if (!c)
    throw new ConflictError('Billing is off on this deployment (no STRIPE_SECRET_KEY).', 'BILLING_DISABLED');
  return c;
}

const seconds = (s: number | null | undefined) => new Date((s ?? 0) * 1000).toISOString();

/** The account as recorded from Stripe, its items priced from our plans, and Stripe's preview of the next invoice. */
export async function billingOverview(
  ctx: BillingContext,
  _actor: Actor,
  input: { orgId: string },
): Promise<BillingOverview> {
  const account = await findAccount(ctx.db, input.orgId);
  const items = await ctx.db
    .select({
      workspaceId: billingItems.workspaceId,
      planId: plans.id,
      amount: plans.price,
      currency: plans.currency,
    })
    .from(billingItems)
    .innerJoin(plans, eq(plans.id, billingItems.planId))
    .innerJoin(workspaces, eq(workspaces.id, billingItems.workspaceId))
    .where(and(eq(billingItems.organizationId, input.orgId), isNull(workspaces.deletionRequestedAt)));
  const out: BillingOverview = {
    enabled: ctx.stripe !== undefined,
    status: account?.status ?? 'none',
    hasPaymentMethod: !!account?.defaultPaymentMethod,
    items,
    ...(account?.customerId ? { customerId: account.customerId } : {}),
  };
  if (!account?.customerId || !account.subscriptionId || account.status === 'canceled') return out;
  const c = await live(ctx);
  if (!c) return out;
  const { customerId, subscriptionId } = account;
  const next = await stripeCall('preview the next invoice', () =>
    c.stripe.invoices.createPreview({ customer: customerId, subscription: subscriptionId }),
  );
  return {
    ...out,
    nextInvoice: { amountDue: next.amount_due, currency: next.currency, periodEnd: seconds(next.period_end) },
  };
}

/** Only back to this deployment: a Checkout or Portal return URL elsewhere would make us an open redirect. */
function checkReturnUrl(ctx: Pick<BillingContext, 'publicUrl'>, returnUrl: string): string {
  const base = new URL(ctx.publicUrl);
  let url: URL;
  try {
    url = new URL(returnUrl);
  } catch {
    throw new BadRequestError('INVALID_RETURN_URL', 'returnUrl is not an absolute URL.');
  }
  if (url.origin !== base.origin)
    throw new BadRequestError('INVALID_RETURN_URL', `returnUrl must be on ${base.origin}.`);
  return url.toString();
}

/**
 * What a Checkout or Portal session starts from: billing on, a return URL on this deployment, and the customer,
 * created on first use under the account lock (never two customers for one organization).
 */
async function sessionBasis(given: BillingContext, input: { orgId: string; returnUrl: string }) {
  const ctx = await requireEnabled(given);
  const back = checkReturnUrl(ctx, input.returnUrl);
  const customer = await ctx.db.transaction(async (tx) =>
    ensureCustomer(ctx, tx, await lockAccount(tx, input.orgId)),
  );
  return { ctx, back, customer };
}

/** Stripe Checkout in setup mode: the user adds a payment method, checkout.session.completed makes it the default. */
export async function createCheckoutSession(
  given: BillingContext,
  _actor: Actor,
  input: { orgId: string; returnUrl: string },
): Promise<{ url: string }> {
  const { ctx, back, customer } = await sessionBasis(given, input);
  const [plan] = await ctx.db.select({ currency: plans.currency }).from(plans).limit(1);
  const sep = back.includes('?') ? '&' : '?';
  const session = await stripeCall('open Checkout', () =>
    ctx.stripe.checkout.sessions.create({
      mode: 'setup',
      customer,
      currency: plan?.currency ?? 'usd',
      success_url: `${back}${sep}checkout=complete&session_id={CHECKOUT_SESSION_ID}`,
      cancel_url: `${back}${sep}checkout=cancelled`,
      metadata: { organizationId: input.orgId },
    }),
  );
  return { url: session.url! };
}

export async function createPortalSession(
  given: BillingContext,
  _actor: Actor,
  input: { orgId: string; returnUrl: string },
): Promise<{ url: string }> {
  const { ctx, back, customer } = await sessionBasis(given, input);
  const session = await stripeCall('open the billing portal', () =>
    ctx.stripe.billingPortal.sessions.create({ customer, return_url: back }),
  );
  return { url: session.url };
}

export type InvoiceView = {
  id: string;
  number: string | null;
  status: string | null;
  amountDue: number;
  amountPaid: number;
  currency: string;
  periodStart: string;
  periodEnd: string;
  hostedInvoiceUrl: string | null;
  pdfUrl: string | null;
};

/** Newest first, paged with Stripe's own cursor (the last invoice id). */
export async function listInvoices(
  given: BillingContext,
  _actor: Actor,
  input: { orgId: string; limit: number; cursor?: string },
): Promise<{ items: InvoiceView[]; nextCursor: string | null }> {
  const ctx = await requireEnabled(given);
  const account = await findAccount(ctx.db, input.orgId);
  if (!account?.customerId) return { items: [], nextCursor: null };
  const customer = account.customerId;
  const page = await stripeCall('list the invoices', () =>
    ctx.stripe.invoices.list({
      customer,
      limit: input.limit,
      ...(input.cursor ? { starting_after: input.cursor } : {}),
    }),
  );
  const items = page.data.map(
    (i): InvoiceView => ({
      id: i.id!,
      number: i.number,
      status: i.status,
      amountDue: i.amount_due,
      amountPaid: i.amount_paid,
      currency: i.currency,
      periodStart: seconds(i.period_start),
      periodEnd: seconds(i.period_end),
      hostedInvoiceUrl: i.hosted_invoice_url ?? null,
      pdfUrl: i.invoice_pdf ?? null,
    }),
  );
  return { items, nextCursor: page.has_more ? (items.at(-1)?.id ?? null) : null };
}

export type PlanChangePreview = {
  workspaceId: string;
  fromPlanId: string;
  toPlanId: string;
  currency: string;
  /** What the change adds to (or, negative, takes off) the next invoice, prorated to today. */
  prorationAmount: number;
  /** The next invoice's total with the change. */
  amountDue: number;
  periodEnd: string | null;
};

/** Stripe's own proration of a plan change, before it is made: nothing is changed by asking. */
export async function previewPlanChange(
  given: BillingContext,
  _actor: Actor,
  input: { orgId: string; workspaceId: string; planId: string },
): Promise<PlanChangePreview> {
  const ctx = await requireEnabled(given);
  const [ws] = await ctx.db
    .select({ planId: workspaces.planId })
    .from(workspaces)
    .where(and(eq(workspaces.id, input.workspaceId), eq(workspaces.organizationId, input.orgId)));
  if (!ws) throw new NotFoundError('No such workspace in this organization.', 'WORKSPACE_NOT_FOUND');
  const [plan] = await ctx.db
    .select()
    .from(plans)
    .where(and(eq(plans.id, input.planId), eq(plans.active, true)));
  if (!plan) throw new BadRequestError('INVALID_VALUE', `There is no plan "${input.planId}".`);
  const base = {
    workspaceId: input.workspaceId,
    fromPlanId: ws.planId,
    toPlanId: plan.id,
    currency: plan.currency,
  };
  const account = await findAccount(ctx.db, input.orgId);
  const [item] = await ctx.db
    .select()
    .from(billingItems)
    .where(eq(billingItems.workspaceId, input.workspaceId));
  const price = isPaid(plan) ? plan.stripePriceId : null;
  // Nothing billed before or after (free to free), or no customer yet: a change costs nothing until paid.
  if ((!item && !price) || !account?.customerId)
    return { ...base, prorationAmount: 0, amountDue: price ? plan.price : 0, periodEnd: null };
  const customer = account.customerId;
  const change = item ? { id: item.itemId, ...(price ? { price } : { deleted: true }) } : { price: price! };
  const preview = await stripeCall('preview the plan change', () =>
    ctx.stripe.invoices.createPreview({
      customer,
      ...(account.subscriptionId ? { subscription: account.subscriptionId } : {}),
      subscription_details: { items: [change], proration_behavior: 'create_prorations' },
    }),
  );
  const prorationAmount = preview.lines.data
    .filter((l) => l.parent?.subscription_item_details?.proration ?? false)
    .reduce((sum, l) => sum + l.amount, 0);
  return {
    ...base,
    currency: preview.currency,
    prorationAmount,
    amountDue: preview.amount_due,
    periodEnd: seconds(preview.period_end),
  };
}
