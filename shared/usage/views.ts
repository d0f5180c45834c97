import { asc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { projects } from '../db/schema';
import { BadRequestError, NotFoundError } from '../errors';
import { formatQuantity } from './quantity';
import { currentUsage, usageSeries } from './store';
import { totals } from './tiers';

export type UsageDeps = { db: Db; intervalSeconds: number };

type Quota = Record<string, { hard: string; used: string }>;

export type UsageView = {
  sampledAt: string | null;
  stale: boolean;
  staleReason: string | null;
  quota: Quota;
  projects: { projectId: string; name: string; quota: Quota }[];
};

const quotaOf = (t: Record<string, [number, number]>): Quota =>
  Object.fromEntries(
    Object.entries(t)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([r, [used, hard]]) => [r, { hard: formatQuantity(r, hard), used: formatQuantity(r, used) }]),
  );

/** CONTRACT: Usage — the latest sample, per project and summed over the projects; stale says the numbers are old. */
export async function workspaceUsage(deps: UsageDeps, input: { wsId: string }): Promise<UsageView> {
  const current = await currentUsage(deps.db, input.wsId, { intervalSeconds: deps.intervalSeconds });
  const rows = await deps.db
    .select({ id: projects.id, name: projects.name })
    .from(projects)
    .where(eq(projects.workspaceId, input.wsId))
    .orderBy(asc(projects.name));
  return {
    sampledAt: current.sampledAt?.toISOString() ?? null,
    stale: current.stale,
    staleReason: current.staleReason,
    quota: quotaOf(totals(current.data)),
    projects: rows.map((p) => ({
      projectId: p.id,
      name: p.name,
      quota: quotaOf(totals(current.data, p.id)),
    })),
  };
}

export const RANGES = { '1h': 3600, '24h': 86_400, '7d': 7 * 86_400 } as const;
export type Range = keyof typeof RANGES;

/** Step by default: 120 to 288 points a chart. */
const DEFAULT_STEP: Record<Range, number> = { '1h': 30, '24h': 300, '7d': 3600 };
const MAX_POINTS = 1500;

/** `30`, `30s`, `5m`, `1h`: seconds, as Prometheus' range queries take them. */
export function parseStep(step: string | undefined, range: Range): number {
  if (step === undefined) return DEFAULT_STEP[range];
  const m = /^(\d{1,7})([smh]?)$/.exec(step);
  const seconds = m ? Number(m[1]) * ({ '': 1, s: 1, m: 60, h: 3600 } as const)[m[2] as 's'] : Number.NaN;
  const min = Math.max(30, Math.ceil(RANGES[range] / MAX_POINTS));
  if (!Number.isFinite(seconds) || seconds < min || seconds > RANGES[range])
    throw new BadRequestError(
      'INVALID_STEP',
      `step must be a duration such as 30s, 5m or 1h, from ${min}s up to the range (${range}).`,
    );
  return seconds;
}

export type UsageSeriesView = {
  range: Range;
  step: number;
  from: string;
  to: string;
  series: { resource: string; hard: string | null; points: [number, string][] }[];
};

/** Points of `used` per resource over the range; `hard` is the current quota, the line a chart compares against. */
export async function workspaceUsageSeries(
  deps: UsageDeps,
  input: { wsId: string; range: Range; step: number; projectId?: string },
  now = new Date(),
): Promise<UsageSeriesView> {
  if (input.projectId) {
    const [p] = await deps.db
      .select({ ws: projects.workspaceId })
      .from(projects)
      .where(eq(projects.id, input.projectId));
    if (p?.ws !== input.wsId)
      throw new NotFoundError('No such project in this workspace.', 'PROJECT_NOT_FOUND');
  }
  const from = new Date(now.getTime() - RANGES[input.range] * 1000);
  const [{ series }, current] = await Promise.all([
    usageSeries(
      deps.db,
      input.wsId,
      {
        from,
        to: now,
        stepSeconds: input.step,
        ...(input.projectId ? { projectId: input.projectId } : {}),
      },
      now,
    ),
    currentUsage(deps.db, input.wsId, { intervalSeconds: deps.intervalSeconds, now }),
  ]);
  const hard = totals(current.data, input.projectId);
  return {
    range: input.range,
    step: input.step,
    from: from.toISOString(),
    to: now.toISOString(),
    series: series.map((s) => ({
      resource: s.resource,
      hard: hard[s.resource] ? formatQuantity(s.resource, hard[s.resource]![1]) : null,
      points: s.points.map(([t, v]) => [t, formatQuantity(s.resource, v)]),
    })),
  };
}
