import { index, integer, jsonb, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';
import { ts } from './common';
import { workspaces } from './workspaces';

/**
 * One sample's numbers: per project id, per quota resource, `[used, hard]` in base units (CPU in cores, memory and
 * storage in bytes, object counts as counts). Resource names are the ResourceQuota's own (`requests.cpu`, `pods`…).
 */
export type UsageData = Record<string, Record<string, [used: number, hard: number]>>;

/**
 * Usage samples in three tiers (shared/usage/README.md): 0 = every sample (kept a day), 1 = 5-minute averages
 * (30 days), 2 = hourly averages (400 days). A tier-0 row covers `at`…`until`: a sample equal to the latest row
 * only moves its `until`, so an idle workspace costs a row, not one per 30 s. Tier 1 and 2 rows are one bucket
 * each, starting at `at`, averaging `samples` samples.
 */
export const usageSamples = pgTable(
  'usage_samples',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    tier: smallint('tier').notNull(),
    at: ts('at').notNull(),
    until: ts('until').notNull(),
    samples: integer('samples').notNull().default(1),
    data: jsonb('data').$type<UsageData>().notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.tier, t.at] }),
    index('usage_samples_at_idx').on(t.tier, t.at),
  ],
);

/**
 * The sampler's state per workspace: the lease that keeps one sampling in flight, the last good sample and the
 * last failure (a workspace whose vCluster does not answer is stale, never zero).
 */
export const usageSampling = pgTable('usage_sampling', {
  workspaceId: text('workspace_id')
    .primaryKey()
    .references(() => workspaces.id, { onDelete: 'cascade' }),
  leasedUntil: ts('leased_until'),
  sampledAt: ts('sampled_at'),
  failedAt: ts('failed_at'),
  error: text('error'),
});

/**
 * Metered billing: one row per workspace, hour and meter once its Stripe meter event was accepted, so an hour is
 * reported once however often the report runs (Stripe's `identifier` dedupes too).
 */
export const usageMeterReports = pgTable(
  'usage_meter_reports',
  {
    workspaceId: text('workspace_id').notNull(),
    organizationId: text('organization_id').notNull(),
    hour: ts('hour').notNull(),
    meter: text('meter').notNull(),
    value: text('value').notNull(),
    reportedAt: ts('reported_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.workspaceId, t.hour, t.meter] }),
    index('usage_meter_reports_hour_idx').on(t.hour),
  ],
);
