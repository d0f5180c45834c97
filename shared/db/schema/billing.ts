import { sql } from 'drizzle-orm';
import { boolean, index, integer, jsonb, pgEnum, pgTable, text } from 'drizzle-orm/pg-core';
import { ts, updatedAt } from './common';
import { organizations } from './orgs';

/** CONTRACT: Billing. Stripe's own subscription statuses are folded into these four. */
export const billingStatus = pgEnum('billing_status', ['none', 'active', 'past_due', 'canceled']);

/**
 * What Hexabase knows of an organization's Stripe customer and subscription: written by the billing worker from
 * objects it read back from Stripe (never from a webhook's payload), so the last read wins whatever the order.
 */
export const billingAccounts = pgTable('billing_accounts', {
  organizationId: text('organization_id')
    .primaryKey()
    .references(() => organizations.id, { onDelete: 'cascade' }),
  customerId: text('customer_id').unique(),
  subscriptionId: text('subscription_id').unique(),
  status: billingStatus('status').notNull().default('none'),
  /** The customer's invoice default; creating or upgrading to a paid workspace needs one (402 otherwise). */
  defaultPaymentMethod: text('default_payment_method'),
  /** Set when the last paid workspace went: the subscription ends with the period already paid for. */
  cancelAtPeriodEnd: boolean('cancel_at_period_end').notNull().default(false),
  /** When the subscription was first seen past_due; suspension follows HEXABASE_BILLING_GRACE_DAYS later. */
  pastDueSince: ts('past_due_since'),
  /** Bumped when a subscription ends, so the next one's creation gets a fresh idempotency key. */
  subscriptionEpoch: integer('subscription_epoch').notNull().default(0),
  updatedAt: updatedAt(),
});

/**
 * One subscription item per paid workspace. No foreign key to the workspace: the row outlives it until its item is
 * removed from Stripe, which happens after the deletion was requested.
 */
export const billingItems = pgTable(
  'billing_items',
  {
    workspaceId: text('workspace_id').primaryKey(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    subscriptionId: text('subscription_id').notNull(),
    itemId: text('item_id').notNull(),
    planId: text('plan_id').notNull(),
    priceId: text('price_id').notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [index('billing_items_org_idx').on(t.organizationId)],
);

/** Every Stripe webhook event accepted, by Stripe's id: a redelivered event finds its row and has no effect. */
export const stripeEvents = pgTable(
  'stripe_events',
  {
    id: text('id').primaryKey(),
    type: text('type').notNull(),
    /** The event as Stripe sent it (ids and amounts; no card data), for support and replays. */
    payload: jsonb('payload').notNull(),
    /** `data.object.id` of the event: the handler reads that object back from Stripe. */
    objectId: text('object_id'),
    /** Stripe's `created` (seconds since the epoch, kept as a timestamp). */
    stripeCreatedAt: ts('stripe_created_at'),
    receivedAt: ts('received_at').notNull().defaultNow(),
    processedAt: ts('processed_at'),
  },
  (t) => [index('stripe_events_unprocessed_idx').on(t.receivedAt).where(sql`${t.processedAt} is null`)],
);
