import { createHash } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { type UsageData, type UsageLayout, usageLayouts } from '../db/schema';

/**
 * A sample as stored: the layout (which project and resource each number is, and its quota) and the `used`
 * numbers in layout order. Layouts repeat from sample to sample, so rows carry only their id.
 */
export function encode(data: UsageData): { layout: UsageLayout; used: number[] } {
  const layout: UsageLayout = [];
  const used: number[] = [];
  for (const project of Object.keys(data).sort())
    for (const resource of Object.keys(data[project]!).sort()) {
      const [u, hard] = data[project]![resource]!;
      layout.push([project, resource, hard]);
      used.push(u);
    }
  return { layout, used };
}

export function decode(layout: UsageLayout, used: number[]): UsageData {
  const data: UsageData = {};
  layout.forEach(([project, resource, hard], i) => {
    data[project] ??= {};
    data[project][resource] = [used[i] ?? 0, hard];
  });
  return data;
}

/** The layout's id, stored on first use. No cache: each database (tests use many in one process) has its own ids. */
export async function layoutId(tx: Db, layout: UsageLayout): Promise<number> {
  const hash = createHash('sha256').update(JSON.stringify(layout)).digest('base64url').slice(0, 32);
  const [found] = await tx
    .select({ id: usageLayouts.id })
    .from(usageLayouts)
    .where(eq(usageLayouts.hash, hash));
  if (found) return found.id;
  await tx.insert(usageLayouts).values({ hash, layout }).onConflictDoNothing();
  const [stored] = await tx
    .select({ id: usageLayouts.id })
    .from(usageLayouts)
    .where(eq(usageLayouts.hash, hash));
  return stored!.id;
}
