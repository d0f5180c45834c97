import { and, desc, eq, gt, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { billingAccounts, outbox, plans } from '../db/schema';

/** The Stripe prices the paid plans get in tests (what `npm run stripe:sync` records in a deployment). */
export const PRICES = { standard: 'price_standard_test', 'premium-dedicated': 'price_premium_test' } as const;

export async function priceThePlans(db: Db) {
  for (const [id, price] of Object.entries(PRICES))
    await db.update(plans).set({ stripePriceId: price }).where(eq(plans.id, id));
}

/** The newest outbox position, so a test only delivers what it caused. */
export async function outboxHead(db: Db): Promise<number> {
  const [last] = await db.select({ seq: outbox.seq }).from(outbox).orderBy(desc(outbox.seq)).limit(1);
  return last?.seq ?? 0;
}

/** Outbox rows after `seq` of these types, oldest first. */
export function outboxAfter(db: Db, seq: number, types: string[]) {
  return db
    .select()
    .from(outbox)
    .where(and(gt(outbox.seq, seq), inArray(outbox.type, types)))
    .orderBy(outbox.seq);
}

export async function billingAccountOf(db: Db, orgId: string) {
  const [a] = await db.select().from(billingAccounts).where(eq(billingAccounts.organizationId, orgId));
  if (!a) throw new Error(`organization ${orgId} has no billing account`);
  return a;
}
