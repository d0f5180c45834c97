import { eq, or, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../db';
import { billingAccounts, billingItems, stripeEvents } from '../db/schema';
import type { Logger } from '../log';
import { type BillingAccount, foldStatus, lockAccount } from './accounts';
import { applyDunning } from './dunning';
import { type BillingContext, idOf, type LiveBilling, live, stripeCall } from './stripe';
import { syncSubscription } from './sync';

/** The webhook event types Hexabase acts on (the endpoint should be subscribed to exactly these). */
export const HANDLED_STRIPE_EVENTS = [
  'checkout.session.completed',
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'invoice.paid',
  'invoice.payment_failed',
  'customer.updated',
] as const;

type Ctx = LiveBilling & { log: Logger };

/**
 * Handles one stored Stripe event. The event only says which object changed: the handler reads that object's
 * current state back from Stripe and records it, so events arriving late, twice or out of order all end in the
 * state Stripe holds now. Then the subscription is synced and the dunning rules applied.
 */
export async function handleStripeEvent(ctx: BillingContext & { log: Logger }, stripeEventId: string) {
  const [row] = await ctx.db.select().from(stripeEvents).where(eq(stripeEvents.id, stripeEventId));
  const c: Ctx | undefined = await live(ctx);
  if (!row || !c) return;
  const orgId = (HANDLED_STRIPE_EVENTS as readonly string[]).includes(row.type)
    ? await refresh(c, row.type, row.objectId)
    : undefined;
  if (orgId) {
    await syncSubscription(ctx, orgId);
    await settle(ctx, orgId);
  } else ctx.log.info({ stripeEventId, type: row.type }, 'stripe event concerns no organization here');
  await ctx.db
    .update(stripeEvents)
    .set({ processedAt: sql`now()` })
    .where(eq(stripeEvents.id, stripeEventId));
}

/** Re-reads the account's Stripe state and applies the dunning rules (also the tick's check of the grace period). */
export async function settle(ctx: BillingContext, orgId: string) {
  await ctx.db.transaction(async (tx) => {
    const account = await lockAccount(tx, orgId);
    await applyDunning(ctx, tx, account);
  });
}

async function refresh(c: Ctx, type: string, objectId: string | null): Promise<string | undefined> {
  if (!objectId) return undefined;
  if (type === 'checkout.session.completed') {
    const session = await stripeCall('read the Checkout session', () =>
      c.stripe.checkout.sessions.retrieve(objectId, { expand: ['setup_intent'] }),
    );
    const customer = idOf(session.customer);
    const intent = session.setup_intent as Stripe.SetupIntent | string | null;
    const pm = intent && typeof intent !== 'string' ? idOf(intent.payment_method) : null;
    if (!customer) return undefined;
    if (pm && session.status === 'complete') {
      const updated = await stripeCall('set the default payment method', () =>
        c.stripe.customers.update(
          customer,
          { invoice_settings: { default_payment_method: pm } },
          { idempotencyKey: `hexabase:default-payment-method:${session.id}` },
        ),
      );
      return recordCustomer(c.db, updated);
    }
    return refreshCustomer(c, customer);
  }
  if (type === 'customer.updated') return refreshCustomer(c, objectId);
  if (type.startsWith('customer.subscription.')) return refreshSubscription(c, objectId);
  // invoice.paid, invoice.payment_failed: what matters is the subscription the invoice belongs to.
  const invoice = await stripeCall('read the invoice', () => c.stripe.invoices.retrieve(objectId));
  const account = await accountOf(c.db, { customerId: idOf(invoice.customer) });
  const subId =
    idOf(invoice.parent?.subscription_details?.subscription ?? null) ?? account?.subscriptionId ?? null;
  return subId ? refreshSubscription(c, subId) : account?.organizationId;
}

async function refreshCustomer(c: Ctx, customerId: string) {
  const customer = await stripeCall('read the customer', () => c.stripe.customers.retrieve(customerId));
  if ('deleted' in customer && customer.deleted) return undefined;
  return recordCustomer(c.db, customer as Stripe.Customer);
}

async function recordCustomer(db: Db, customer: Stripe.Customer): Promise<string | undefined> {
  const [a] = await db
    .update(billingAccounts)
    .set({
      defaultPaymentMethod: idOf(customer.invoice_settings?.default_payment_method ?? null),
      updatedAt: sql`now()`,
    })
    .where(eq(billingAccounts.customerId, customer.id))
    .returning({ orgId: billingAccounts.organizationId });
  return a?.orgId;
}

async function refreshSubscription(c: Ctx, subId: string): Promise<string | undefined> {
  const sub = await stripeCall('read the subscription', () => c.stripe.subscriptions.retrieve(subId));
  const known = await accountOf(c.db, { subscriptionId: sub.id, customerId: idOf(sub.customer) });
  if (!known) return undefined;
  const orgId = known.organizationId;
  await c.db.transaction(async (tx) => {
    const account = await lockAccount(tx, orgId);
    // A subscription the organization has moved on from (ended, replaced) says nothing about its current one.
    if (account.subscriptionId && account.subscriptionId !== sub.id) return;
    const status = foldStatus(sub.status);
    if (status === 'canceled') {
      // Ended: its items are gone with it; the next sync starts a new subscription under a new key if needed.
      await tx.delete(billingItems).where(eq(billingItems.subscriptionId, sub.id));
      await tx
        .update(billingAccounts)
        .set({
          subscriptionId: null,
          status,
          cancelAtPeriodEnd: false,
          pastDueSince: null,
          subscriptionEpoch: account.subscriptionId
            ? account.subscriptionEpoch + 1
            : account.subscriptionEpoch,
          updatedAt: sql`now()`,
        })
        .where(eq(billingAccounts.organizationId, orgId));
      return;
    }
    await tx
      .update(billingAccounts)
      .set({
        subscriptionId: sub.id,
        status,
        cancelAtPeriodEnd: sub.cancel_at_period_end,
        // Kept while it stays past due: the grace period counts from the first time it was seen so.
        pastDueSince: status === 'past_due' ? (account.pastDueSince ?? c.now()) : null,
        updatedAt: sql`now()`,
      })
      .where(eq(billingAccounts.organizationId, orgId));
  });
  return orgId;
}

async function accountOf(
  db: Db,
  by: { subscriptionId?: string; customerId: string | null },
): Promise<BillingAccount | undefined> {
  if (!by.subscriptionId && !by.customerId) return undefined;
  const [a] = await db
    .select()
    .from(billingAccounts)
    .where(
      or(
        by.subscriptionId ? eq(billingAccounts.subscriptionId, by.subscriptionId) : undefined,
        by.customerId ? eq(billingAccounts.customerId, by.customerId) : undefined,
      ),
    )
    .limit(1);
  return a;
}
