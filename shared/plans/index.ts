import { and, asc, eq, gt, or } from 'drizzle-orm';
import * as z from 'zod';
import type { Db } from '../db';
import { decodeCursor, type Page, type PageInput, toPage } from '../db/pagination';
import { plans } from '../db/schema';

export type ResourceLimits = {
  quota: Record<string, string>;
  limitRange: {
    defaultRequest: Record<string, string>;
    default: Record<string, string>;
    max: Record<string, string>;
  };
};

export type Plan = {
  id: string;
  name: string;
  price: number;
  currency: string;
  resourceLimits: ResourceLimits;
  allowsDedicatedNodes: boolean;
  maxProjects: number;
  maxMembers: number;
};

// sort_order is a PostgreSQL integer: a decoded cursor outside its range must not reach the query.
const Cursor = z.tuple([
  z
    .number()
    .int()
    .min(-(2 ** 31))
    .max(2 ** 31 - 1),
  z.string().regex(/^[a-z0-9-]{1,64}$/),
]);

/** Active plans, cheapest first, keyset-paginated on (sortOrder, id). Public: there is no actor to take. */
export async function listPlans(ctx: { db: Db }, input: PageInput): Promise<Page<Plan>> {
  const after = decodeCursor(input.cursor, Cursor);
  const rows = await ctx.db
    .select()
    .from(plans)
    .where(
      and(
        eq(plans.active, true),
        after
          ? or(gt(plans.sortOrder, after[0]), and(eq(plans.sortOrder, after[0]), gt(plans.id, after[1])))
          : undefined,
      ),
    )
    .orderBy(asc(plans.sortOrder), asc(plans.id))
    .limit(input.limit + 1);
  return toPage(
    rows,
    input.limit,
    (r) => ({
      id: r.id,
      name: r.name,
      price: r.price,
      currency: r.currency,
      resourceLimits: r.resourceLimits as ResourceLimits,
      allowsDedicatedNodes: r.allowsDedicatedNodes,
      maxProjects: r.maxProjects,
      maxMembers: r.maxMembers,
    }),
    (r) => [r.sortOrder, r.id],
  );
}
