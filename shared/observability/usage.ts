import { Gauge, type Registry } from 'prom-client';
import type { Db } from '../db';
import { sampledWorkspaceIds } from '../usage/sampler';
import { latestUsage } from '../usage/store';
import { registered } from './metric';

type Usage = Awaited<ReturnType<typeof latestUsage>>;

/**
 * Usage against quota per workspace, from the usage store (shared/usage/store.ts), for the usage sampler's
 * process. Labels are the workspace id and the ResourceQuota's resource name only (both bounded by the platform's
 * own objects), never a user or a project. Only serving workspaces are exported: a suspended or failed one is not
 * sampled, so its last numbers are stale by design and would only keep quota and staleness alerts firing.
 * Every scrape replaces all series, so a deleted workspace disappears.
 */
export function registerUsageMetrics(
  registry: Registry,
  db: Db,
  opts: { intervalSeconds?: number } = {},
): void {
  // The registry collects every metric of a scrape at once: the three gauges share the first one's read.
  let pending: Promise<Usage> | undefined;
  const read = () => {
    pending ??= servingUsage(db, opts.intervalSeconds).finally(() => {
      pending = undefined;
    });
    return pending;
  };
  const gauge = (name: string, help: string, labelNames: string[], fill: (g: Gauge, usage: Usage) => void) =>
    registered(
      registry,
      name,
      () =>
        new Gauge({
          name,
          help,
          labelNames,
          registers: [registry],
          async collect() {
            const usage = await read();
            this.reset();
            fill(this, usage);
          },
        }),
    );
  const quota = (side: 'used' | 'hard') => (g: Gauge, usage: Usage) => {
    for (const w of usage)
      for (const [resource, q] of Object.entries(w.quota))
        g.set({ workspace_id: w.workspaceId, resource }, q[side]);
  };
  gauge(
    'hexabase_workspace_quota_used',
    'Quota used per workspace and resource, in base units (cores, bytes, counts), from the latest usage sample',
    ['workspace_id', 'resource'],
    quota('used'),
  );
  gauge(
    'hexabase_workspace_quota_hard',
    'Quota limit per workspace and resource, in base units (cores, bytes, counts), from the latest usage sample',
    ['workspace_id', 'resource'],
    quota('hard'),
  );
  gauge(
    'hexabase_workspace_usage_stale',
    '1 while a serving workspace has no fresh usage sample (none yet, the last one failed, or older than 3 intervals)',
    ['workspace_id'],
    (g, usage) => {
      for (const w of usage) g.set({ workspace_id: w.workspaceId }, w.stale ? 1 : 0);
    },
  );
}

async function servingUsage(db: Db, intervalSeconds: number | undefined): Promise<Usage> {
  const [usage, serving] = await Promise.all([
    latestUsage(db, ...(intervalSeconds ? [{ intervalSeconds }] : [])),
    sampledWorkspaceIds(db),
  ]);
  const ids = new Set(serving);
  return usage.filter((w) => ids.has(w.workspaceId));
}
