import { and, asc, desc, eq, gte, inArray, lt, lte, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { type UsageData, usageLayouts, usageSamples, usageSampling } from '../db/schema';
import { decode, encode, layoutId } from './layout';
import { averageIn, bucketStart, TIERS, totals } from './tiers';

/** Notified (payload: workspace id) in the transaction that stores a sample: SSE streams wake on it. */
export const USAGE_CHANNEL = 'hexabase_usage';

/** A row of a tier with its layout, decoded. */
const rowColumns = {
  at: usageSamples.at,
  until: usageSamples.until,
  samples: usageSamples.samples,
  layoutId: usageSamples.layoutId,
  used: usageSamples.used,
  layout: usageLayouts.layout,
};

const sameNumbers = (a: { layoutId: number; used: number[] }, b: { layoutId: number; used: number[] }) =>
  a.layoutId === b.layoutId && a.used.length === b.used.length && a.used.every((v, i) => v === b.used[i]);

/**
 * Stores one sample in every tier, in one transaction: tier 0 extends the latest run when nothing changed and
 * the run is not older than `maxGapMs` (a longer gap is a stale period and must show as one); tiers 1 and 2 fold
 * the sample into their bucket's average, and a bucket that closed equal to the run before it joins that run.
 */
export async function recordSample(
  db: Db,
  sample: { workspaceId: string; at: Date; data: UsageData },
  opts: { maxGapMs: number },
): Promise<void> {
  const { workspaceId, at } = sample;
  await db.transaction(async (tx) => {
    const { layout, used } = encode(sample.data);
    const current = { layoutId: await layoutId(tx, layout), used };
    // A bucket's average usually keeps the sample's projects and quotas: its layout is then the one just stored.
    const sameLayout = JSON.stringify(layout);
    const idOf = (l: typeof layout) =>
      JSON.stringify(l) === sameLayout ? current.layoutId : layoutId(tx, l);
    const latest = (tier: number, limit: number) =>
      tx
        .select(rowColumns)
        .from(usageSamples)
        .innerJoin(usageLayouts, eq(usageLayouts.id, usageSamples.layoutId))
        .where(and(eq(usageSamples.workspaceId, workspaceId), eq(usageSamples.tier, tier)))
        .orderBy(desc(usageSamples.at))
        .limit(limit)
        .for('update', { of: usageSamples });
    const rowOf = (tier: number, rowAt: Date) =>
      and(eq(usageSamples.workspaceId, workspaceId), eq(usageSamples.tier, tier), eq(usageSamples.at, rowAt));

    const [last] = await latest(0, 1);
    const gap = last ? at.getTime() - last.until.getTime() : Number.POSITIVE_INFINITY;
    if (last && gap >= 0 && gap <= opts.maxGapMs && sameNumbers(last, current))
      await tx
        .update(usageSamples)
        .set({ until: at, samples: last.samples + 1 })
        .where(rowOf(0, last.at));
    else
      await tx
        .insert(usageSamples)
        .values({ workspaceId, tier: 0, at, until: at, ...current })
        .onConflictDoNothing();

    for (const { tier, bucketSeconds } of TIERS.slice(1)) {
      const start = bucketStart(at, bucketSeconds);
      const [open, before] = await latest(tier, 2);
      if (open && open.at.getTime() === start.getTime()) {
        const averaged = encode(averageIn(decode(open.layout, open.used), open.samples, sample.data));
        await tx
          .update(usageSamples)
          .set({
            until: at,
            samples: open.samples + 1,
            layoutId: await idOf(averaged.layout),
            used: averaged.used,
          })
          .where(rowOf(tier, open.at));
        continue;
      }
      if (open && open.at < start) {
        // `open` just closed: the run before it absorbs it when they are equal and nothing lies between them.
        const adjacent =
          before &&
          bucketStart(before.until, bucketSeconds).getTime() + bucketSeconds * 1000 === open.at.getTime();
        if (adjacent && sameNumbers(before, open)) {
          await tx
            .update(usageSamples)
            .set({ until: open.until, samples: before.samples + open.samples })
            .where(rowOf(tier, before.at));
          await tx.delete(usageSamples).where(rowOf(tier, open.at));
        }
      }
      await tx
        .insert(usageSamples)
        .values({ workspaceId, tier, at: start, until: at, ...current })
        .onConflictDoNothing();
    }
    await tx.execute(sql`select pg_notify(${USAGE_CHANNEL}, ${workspaceId})`);
  });
}

export type CurrentUsage = {
  sampledAt: Date | null;
  /** No sample yet, the last attempt failed, or the last sample is older than three intervals. */
  stale: boolean;
  staleReason: string | null;
  data: UsageData;
};

export async function currentUsage(
  db: Db,
  workspaceId: string,
  opts: { intervalSeconds: number; now?: Date },
): Promise<CurrentUsage> {
  const [state] = await db.select().from(usageSampling).where(eq(usageSampling.workspaceId, workspaceId));
  const [last] = await db
    .select({ used: usageSamples.used, layout: usageLayouts.layout })
    .from(usageSamples)
    .innerJoin(usageLayouts, eq(usageLayouts.id, usageSamples.layoutId))
    .where(and(eq(usageSamples.workspaceId, workspaceId), eq(usageSamples.tier, 0)))
    .orderBy(desc(usageSamples.at))
    .limit(1);
  return { ...staleness(state, opts), data: last ? decode(last.layout, last.used) : {} };
}

type SamplingState = typeof usageSampling.$inferSelect | undefined;

function staleness(state: SamplingState, opts: { intervalSeconds: number; now?: Date }) {
  const sampledAt = state?.sampledAt ?? null;
  const now = (opts.now ?? new Date()).getTime();
  let staleReason: string | null = null;
  if (!sampledAt) staleReason = state?.error ?? 'No sample has been taken yet.';
  else if (state?.failedAt && state.failedAt > sampledAt) staleReason = state.error ?? 'Sampling failed.';
  else if (now - sampledAt.getTime() > opts.intervalSeconds * 3000)
    staleReason = 'The last sample is older than three sampling intervals.';
  return { sampledAt, stale: staleReason !== null, staleReason };
}

/** Every workspace's latest totals (base units), for the usage-vs-quota gauges. */
export async function latestUsage(
  db: Db,
  opts: { intervalSeconds: number; now?: Date } = { intervalSeconds: 30 },
): Promise<
  {
    workspaceId: string;
    sampledAt: Date | null;
    stale: boolean;
    quota: Record<string, { used: number; hard: number }>;
  }[]
> {
  const states = await db.select().from(usageSampling);
  if (states.length === 0) return [];
  const rows = await db
    .selectDistinctOn([usageSamples.workspaceId], {
      workspaceId: usageSamples.workspaceId,
      used: usageSamples.used,
      layout: usageLayouts.layout,
    })
    .from(usageSamples)
    .innerJoin(usageLayouts, eq(usageLayouts.id, usageSamples.layoutId))
    .where(
      and(
        eq(usageSamples.tier, 0),
        inArray(
          usageSamples.workspaceId,
          states.map((s) => s.workspaceId),
        ),
      ),
    )
    .orderBy(usageSamples.workspaceId, desc(usageSamples.at));
  const byWs = new Map(rows.map((r) => [r.workspaceId, decode(r.layout, r.used)]));
  return states.map((s) => {
    const { sampledAt, stale } = staleness(s, opts);
    const quota = Object.fromEntries(
      Object.entries(totals(byWs.get(s.workspaceId) ?? {})).map(([r, [used, hard]]) => [r, { used, hard }]),
    );
    return { workspaceId: s.workspaceId, sampledAt, stale, quota };
  });
}

export type SeriesQuery = { from: Date; to: Date; stepSeconds: number; projectId?: string };

/** The finest tier whose retention still covers `from` and whose resolution the step does not undercut. */
export function tierFor(q: SeriesQuery, now = new Date()): (typeof TIERS)[number] {
  const age = (now.getTime() - q.from.getTime()) / 1000;
  return TIERS.find((t) => age <= t.keepSeconds && q.stepSeconds >= t.bucketSeconds) ?? TIERS[2];
}

/**
 * Per resource, one point per step: the mean of the rows (runs or buckets) overlapping the step. A step no row
 * covers has no point: the chart shows a gap, never a zero that was not measured.
 */
export async function usageSeries(
  db: Db,
  workspaceId: string,
  q: SeriesQuery,
  now = new Date(),
): Promise<{ tier: number; series: { resource: string; points: [number, number][] }[] }> {
  const { tier, bucketSeconds } = tierFor(q, now);
  const rows = (
    await db
      .select(rowColumns)
      .from(usageSamples)
      .innerJoin(usageLayouts, eq(usageLayouts.id, usageSamples.layoutId))
      .where(
        and(
          eq(usageSamples.workspaceId, workspaceId),
          eq(usageSamples.tier, tier),
          lte(usageSamples.at, q.to),
          gte(usageSamples.until, new Date(q.from.getTime() - bucketSeconds * 1000)),
        ),
      )
      .orderBy(asc(usageSamples.at))
  ).map((r) => ({ at: r.at, until: r.until, data: decode(r.layout, r.used) }));
  const stepMs = q.stepSeconds * 1000;
  const first = Math.floor(q.from.getTime() / stepMs) * stepMs;
  const points = new Map<string, [number, number][]>();
  let i = 0;
  for (let t = first; t <= q.to.getTime(); t += stepMs) {
    while (i < rows.length && rowEnd(rows[i]!, bucketSeconds) < t) i++;
    const overlapping = [];
    for (let j = i; j < rows.length && rows[j]!.at.getTime() < t + stepMs; j++)
      if (rowEnd(rows[j]!, bucketSeconds) >= t) overlapping.push(totals(rows[j]!.data, q.projectId));
    if (overlapping.length === 0) continue;
    const resources = new Set(overlapping.flatMap((o) => Object.keys(o)));
    for (const r of resources) {
      const values = overlapping.map((o) => o[r]?.[0]).filter((v) => v !== undefined);
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const list = points.get(r) ?? [];
      list.push([t / 1000, mean]);
      points.set(r, list);
    }
  }
  return {
    tier,
    series: [...points.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([resource, p]) => ({ resource, points: p })),
  };
}

/** A tier-0 run covers at…until; a tier-1/2 run covers its buckets whole, up to the end of its last one. */
const rowEnd = (row: { until: Date }, bucketSeconds: number) =>
  bucketSeconds
    ? bucketStart(row.until, bucketSeconds).getTime() + bucketSeconds * 1000 - 1
    : row.until.getTime();

/**
 * The average of one workspace over the hour starting at `hour` (metered billing), if it was sampled: the hourly
 * row of that hour, or the run of equal hours that covers it. `samples` counts the samples of the whole row.
 */
export async function hourlyUsage(db: Db, workspaceId: string, hour: Date) {
  const [row] = await db
    .select(rowColumns)
    .from(usageSamples)
    .innerJoin(usageLayouts, eq(usageLayouts.id, usageSamples.layoutId))
    .where(
      and(eq(usageSamples.workspaceId, workspaceId), eq(usageSamples.tier, 2), lte(usageSamples.at, hour)),
    )
    .orderBy(desc(usageSamples.at))
    .limit(1);
  if (!row || bucketStart(row.until, 3600).getTime() < hour.getTime()) return undefined;
  return { samples: row.samples, totals: totals(decode(row.layout, row.used)) };
}

/** Drops what each tier no longer keeps; returns how many rows went. */
export async function pruneSamples(db: Db, now = new Date()): Promise<number> {
  let removed = 0;
  for (const { tier, keepSeconds } of TIERS) {
    const gone = await db
      .delete(usageSamples)
      .where(
        and(
          eq(usageSamples.tier, tier),
          lt(usageSamples.until, new Date(now.getTime() - keepSeconds * 1000)),
        ),
      )
      .returning({ at: usageSamples.at });
    removed += gone.length;
  }
  return removed;
}
