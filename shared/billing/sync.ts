import { and, asc, eq, gt, isNull, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { rows } from '../db/raw';
import { billingAccounts, billingItems, plans, workspaces } from '../db/schema';
import { type BillingAccount, ensureCustomer, foldStatus, lockAccount } from './accounts';
import { type BillingContext, type LiveBilling, live, stripeCall } from './stripe';

type Wanted = { workspaceId: string; planId: string; priceId: string; generation: number };

/** Paid workspaces that are not being deleted, oldest first: each should have exactly one subscription item. */
async function wantedItems(tx: Db, orgId: string): Promise<Wanted[]> {
  const rows = await tx
    .select({
      workspaceId: workspaces.id,
      planId: plans.id,
      priceId: plans.stripePriceId,
      generation: workspaces.generation,
    })
    .from(workspaces)
    .innerJoin(plans, eq(plans.id, workspaces.planId))
    .where(
      and(eq(workspaces.organizationId, orgId), isNull(workspaces.deletionRequestedAt), gt(plans.price, 0)),
    )
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
  // A paid plan without a price cannot be billed; the API refuses it (PLAN_NOT_FOR_SALE), so only an operator
  // removing a price can lead here, and the workspace is then left unbilled rather than failing everyone's sync.
  return rows.filter((r): r is Wanted => r.priceId !== null);
}

/**
 * Makes the organization's Stripe subscription match its paid workspaces, level-triggered: whatever event asked,
 * the same rows give the same calls. Creates come first (a subscription needs an item), removals last (Stripe
 * refuses to delete a subscription's last item, so the last one gone cancels the subscription at period end).
 * Every create and update carries an idempotency key derived from our ids, so a retry after a crash between
 * Stripe's answer and our commit replays the same answer instead of billing twice. Runs under the account lock.
 */
export async function syncSubscription(ctx: BillingContext, orgId: string): Promise<void> {
  const c = await live(ctx);
  if (!c) return;
  await ctx.db.transaction(async (tx) => {
    const account = await lockAccount(tx, orgId);
    const wanted = await wantedItems(tx, orgId);
    let have = await itemsOf(tx, orgId);
    if (wanted.length > 0) {
      const s = c;
      const customer = await ensureCustomer(s, tx, account);
      if (!account.subscriptionId) {
        const [first] = wanted.filter((w) => !have.has(w.workspaceId));
        if (first) await createSubscription(s, tx, account, customer, first);
        have = await itemsOf(tx, orgId);
      } else if (account.cancelAtPeriodEnd) await keepSubscription(s, tx, account, wanted[0]!);
      for (const w of wanted) {
        const item = have.get(w.workspaceId);
        if (!item) await addItem(s, tx, account, w);
        else if (item.priceId !== w.priceId) await changeItem(s, tx, item.itemId, w);
      }
    }
    const gone = [...have.values()].filter((i) => !wanted.some((w) => w.workspaceId === i.workspaceId));
    for (const item of gone) {
      const last = wanted.length === 0 && gone.at(-1) === item;
      await removeItem(c, tx, account, item, last);
    }
  });
}

const itemsOf = async (tx: Db, orgId: string) =>
  new Map(
    (await tx.select().from(billingItems).where(eq(billingItems.organizationId, orgId))).map((i) => [
      i.workspaceId,
      i,
    ]),
  );

async function createSubscription(
  ctx: LiveBilling,
  tx: Db,
  account: BillingAccount,
  customer: string,
  first: Wanted,
) {
  const sub = await stripeCall('start the subscription', () =>
    ctx.stripe.subscriptions.create(
      {
        customer,
        items: [{ price: first.priceId, quantity: 1, metadata: { workspaceId: first.workspaceId } }],
        metadata: { organizationId: account.organizationId },
      },
      {
        idempotencyKey: `hexabase:subscription:${account.organizationId}:${account.subscriptionEpoch}:${first.workspaceId}:g${first.generation}`,
      },
    ),
  );
  const item = sub.items.data.find((i) => i.price.id === first.priceId) ?? sub.items.data[0];
  await tx
    .update(billingAccounts)
    .set({
      subscriptionId: sub.id,
      status: foldStatus(sub.status),
      cancelAtPeriodEnd: false,
      updatedAt: sql`now()`,
    })
    .where(eq(billingAccounts.organizationId, account.organizationId));
  account.subscriptionId = sub.id;
  if (item) await recordItem(tx, account, first, item.id);
}

/** A paid workspace came back before the period ended: the subscription goes on instead of ending. */
async function keepSubscription(ctx: LiveBilling, tx: Db, account: BillingAccount, w: Wanted) {
  const subId = account.subscriptionId!;
  await stripeCall('resume the subscription', () =>
    ctx.stripe.subscriptions.update(
      subId,
      { cancel_at_period_end: false },
      { idempotencyKey: `hexabase:resume:${subId}:${w.workspaceId}:g${w.generation}` },
    ),
  );
  await tx
    .update(billingAccounts)
    .set({ cancelAtPeriodEnd: false, updatedAt: sql`now()` })
    .where(eq(billingAccounts.organizationId, account.organizationId));
}

async function addItem(ctx: LiveBilling, tx: Db, account: BillingAccount, w: Wanted) {
  const item = await stripeCall('add the workspace to the subscription', () =>
    ctx.stripe.subscriptionItems.create(
      {
        subscription: account.subscriptionId!,
        price: w.priceId,
        quantity: 1,
        proration_behavior: 'create_prorations',
        metadata: { workspaceId: w.workspaceId },
      },
      { idempotencyKey: `hexabase:item:${w.workspaceId}:e${account.subscriptionEpoch}:g${w.generation}` },
    ),
  );
  await recordItem(tx, account, w, item.id);
}

async function changeItem(ctx: LiveBilling, tx: Db, itemId: string, w: Wanted) {
  await stripeCall('change the workspace plan', () =>
    ctx.stripe.subscriptionItems.update(
      itemId,
      { price: w.priceId, proration_behavior: 'create_prorations' },
      { idempotencyKey: `hexabase:item-price:${itemId}:${w.priceId}:g${w.generation}` },
    ),
  );
  await tx
    .update(billingItems)
    .set({ planId: w.planId, priceId: w.priceId, updatedAt: sql`now()` })
    .where(eq(billingItems.workspaceId, w.workspaceId));
}

async function removeItem(
  ctx: LiveBilling,
  tx: Db,
  account: BillingAccount,
  item: typeof billingItems.$inferSelect,
  last: boolean,
) {
  if (last && item.subscriptionId === account.subscriptionId) {
    // Stripe keeps a subscription's last item; the period already paid for runs out, then the subscription ends.
    if (!account.cancelAtPeriodEnd) {
      await stripeCall('end the subscription', () =>
        ctx.stripe.subscriptions.update(
          item.subscriptionId,
          { cancel_at_period_end: true },
          { idempotencyKey: `hexabase:cancel:${item.subscriptionId}:${item.itemId}` },
        ),
      );
      await tx
        .update(billingAccounts)
        .set({ cancelAtPeriodEnd: true, updatedAt: sql`now()` })
        .where(eq(billingAccounts.organizationId, account.organizationId));
      account.cancelAtPeriodEnd = true;
    }
    return;
  }
  if (item.subscriptionId === account.subscriptionId)
    await stripeCall('remove the workspace from the subscription', () =>
      ctx.stripe.subscriptionItems.del(item.itemId, { proration_behavior: 'create_prorations' }),
    );
  // An item of an ended subscription has nothing left to remove at Stripe.
  await tx.delete(billingItems).where(eq(billingItems.workspaceId, item.workspaceId));
}

async function recordItem(tx: Db, account: BillingAccount, w: Wanted, itemId: string) {
  await tx
    .insert(billingItems)
    .values({
      workspaceId: w.workspaceId,
      organizationId: account.organizationId,
      subscriptionId: account.subscriptionId!,
      itemId,
      planId: w.planId,
      priceId: w.priceId,
    })
    .onConflictDoUpdate({
      target: billingItems.workspaceId,
      set: { subscriptionId: account.subscriptionId!, itemId, planId: w.planId, priceId: w.priceId },
    });
}

/**
 * Organizations whose recorded items differ from their paid workspaces: a sync that ran out of retries, or a
 * price an operator changed. The tick syncs them again; an ended subscription's last item is not counted.
 */
export async function organizationsOutOfStep(ctx: BillingContext): Promise<string[]> {
  const found = await rows<{ organization_id: string }>(
    ctx.db,
    sql`
    select w.organization_id from workspaces w join plans p on p.id = w.plan_id
      left join billing_items i on i.workspace_id = w.id
      where w.deletion_requested_at is null and p.price > 0 and p.stripe_price_id is not null
        and (i.workspace_id is null or i.price_id <> p.stripe_price_id)
    union
    select i.organization_id from billing_items i
      join billing_accounts a on a.organization_id = i.organization_id
      left join workspaces w on w.id = i.workspace_id
      where (w.id is null or w.deletion_requested_at is not null) and not a.cancel_at_period_end`,
  );
  return found.map((r) => r.organization_id);
}
