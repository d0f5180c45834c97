import { asc, eq } from 'drizzle-orm';
import Stripe from 'stripe';
import type { Db } from '../db';
import { plans } from '../db/schema';
import { stripeCall } from './stripe';

export type PriceSync = { planId: string; productId: string; priceId: string; created: boolean };

/** Stripe prices are immutable: the key names the amount, so a new amount is a new price that takes the key over. */
export const lookupKey = (p: { id: string; currency: string; price: number }) =>
  `hexabase-${p.id}-${p.currency}-${p.price}-month`;

const missing = (err: unknown) =>
  err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404;

/**
 * Makes Stripe's catalogue match the plans table and records each paid plan's price id (`npm run stripe:sync`),
 * idempotently: a product per plan under our own id, a monthly price found by its lookup key or created under an
 * idempotency key derived from it. `explicit` sets a plan's price to an existing Stripe price instead.
 */
export async function syncStripePrices(
  stripe: Stripe,
  db: Db,
  explicit: Record<string, string> = {},
): Promise<PriceSync[]> {
  const out: PriceSync[] = [];
  const rows = await db.select().from(plans).where(eq(plans.active, true)).orderBy(asc(plans.sortOrder));
  for (const unknown of Object.keys(explicit).filter((id) => !rows.some((p) => p.id === id)))
    throw new Error(`no active plan "${unknown}"`);
  for (const plan of rows.filter((p) => p.price > 0)) {
    const productId = `hexabase-plan-${plan.id}`;
    const given = explicit[plan.id];
    if (given) {
      const price = await stripeCall('read the price', () => stripe.prices.retrieve(given));
      await db.update(plans).set({ stripePriceId: price.id }).where(eq(plans.id, plan.id));
      out.push({ planId: plan.id, productId: String(price.product), priceId: price.id, created: false });
      continue;
    }
    await ensureProduct(stripe, productId, plan);
    const key = lookupKey(plan);
    const found = await stripeCall('look up the price', () =>
      stripe.prices.list({ lookup_keys: [key], active: true, limit: 1 }),
    );
    let price = found.data.find((p) => p.lookup_key === key);
    const created = !price;
    price ??= await stripeCall('create the price', () =>
      stripe.prices.create(
        {
          product: productId,
          currency: plan.currency,
          unit_amount: plan.price,
          recurring: { interval: 'month' },
          lookup_key: key,
          transfer_lookup_key: true,
          metadata: { planId: plan.id },
        },
        { idempotencyKey: `hexabase:price:${key}` },
      ),
    );
    await db.update(plans).set({ stripePriceId: price.id }).where(eq(plans.id, plan.id));
    out.push({ planId: plan.id, productId, priceId: price.id, created });
  }
  return out;
}

async function ensureProduct(stripe: Stripe, id: string, plan: { id: string; name: string }) {
  try {
    const product = await stripe.products.retrieve(id);
    if (product.name !== plan.name)
      await stripeCall('rename the product', () => stripe.products.update(id, { name: plan.name }));
  } catch (err) {
    if (!missing(err)) return stripeCall('read the product', () => Promise.reject(err));
    await stripeCall('create the product', () =>
      stripe.products.create(
        { id, name: plan.name, metadata: { planId: plan.id } },
        { idempotencyKey: `hexabase:product:${id}` },
      ),
    );
  }
}
