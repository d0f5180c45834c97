import { eq, sql } from 'drizzle-orm';
import type Stripe from 'stripe';
import type { Db } from '../db';
import { billingAccounts, organizations, type plans } from '../db/schema';
import { PaymentRequiredError, RuleViolationError } from '../errors';
import { type LiveBilling, stripeCall } from './stripe';

export type BillingAccount = typeof billingAccounts.$inferSelect;
export type BillingStatus = BillingAccount['status'];

/** Stripe's subscription statuses, folded into the contract's four. */
export function foldStatus(s: Stripe.Subscription.Status): BillingStatus {
  switch (s) {
    case 'active':
    case 'trialing':
      return 'active';
    case 'canceled':
    case 'incomplete_expired':
      return 'canceled';
    default:
      // past_due, unpaid, incomplete (the first invoice failed), paused (no payment method at trial end).
      return 'past_due';
  }
}

export async function findAccount(db: Db, orgId: string): Promise<BillingAccount | undefined> {
  const [a] = await db.select().from(billingAccounts).where(eq(billingAccounts.organizationId, orgId));
  return a;
}

/**
 * The organization's account row, created empty if missing and locked for the rest of the transaction: every
 * billing change of one organization runs under this lock, so two workers never race each other to Stripe.
 */
export async function lockAccount(tx: Db, orgId: string): Promise<BillingAccount> {
  await tx.insert(billingAccounts).values({ organizationId: orgId }).onConflictDoNothing();
  const [a] = await tx
    .select()
    .from(billingAccounts)
    .where(eq(billingAccounts.organizationId, orgId))
    .for('update');
  return a!;
}

/**
 * The Stripe customer of an organization, created the first time it is needed. The idempotency key is the
 * organization id, so a crash between Stripe's answer and our commit gets the same customer back on retry.
 */
export async function ensureCustomer(ctx: LiveBilling, tx: Db, account: BillingAccount): Promise<string> {
  if (account.customerId) return account.customerId;
  const [org] = await tx
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, account.organizationId));
  const customer = await stripeCall('create the customer', () =>
    ctx.stripe.customers.create(
      { name: org?.name ?? account.organizationId, metadata: { organizationId: account.organizationId } },
      { idempotencyKey: `hexabase:customer:${account.organizationId}` },
    ),
  );
  await tx
    .update(billingAccounts)
    .set({ customerId: customer.id, updatedAt: sql`now()` })
    .where(eq(billingAccounts.organizationId, account.organizationId));
  account.customerId = customer.id;
  return customer.id;
}

type Plan = typeof plans.$inferSelect;
export const isPaid = (plan: Pick<Plan, 'price'>) => plan.price > 0;

/**
 * Called in the transaction that creates a workspace on, or moves one to, `plan`: with billing on, a paid plan
 * needs a Stripe price on this deployment and the organization a payment method. Refusing here rolls the whole
 * change back, so nothing is created or changed.
 */
export async function requirePaymentMethod(
  tx: Db,
  billingEnabled: boolean,
  orgId: string,
  plan: Pick<Plan, 'id' | 'name' | 'price' | 'stripePriceId'>,
): Promise<void> {
  if (!billingEnabled || !isPaid(plan)) return;
  if (!plan.stripePriceId)
    throw new RuleViolationError(
      `The ${plan.name} plan has no Stripe price on this deployment yet (an operator runs npm run stripe:sync).`,
      'PLAN_NOT_FOR_SALE',
    );
  const [a] = await tx
    .select({ pm: billingAccounts.defaultPaymentMethod })
    .from(billingAccounts)
    .where(eq(billingAccounts.organizationId, orgId))
    .for('share');
  if (!a?.pm)
    throw new PaymentRequiredError(
      `The ${plan.name} plan is paid: add a payment method to the organization first (POST /api/v1/organizations/${orgId}/billing/checkout-session).`,
    );
}
