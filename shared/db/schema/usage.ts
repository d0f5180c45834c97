import {
  doublePrecision,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
} from 'drizzle-orm/pg-core';
import { ts } from './common';
import { workspaces } from './workspaces';

/**
 * One sample's numbers as the store's callers see them: per project id, per quota resource, `[used, hard]` in base
 * units (CPU in cores, memory and storage in bytes, object counts as counts). Resource names are the
 * ResourceQuota's own (`requests.cpu`, `pods`…). The store keeps them as a layout plus an array of numbers.
 */
export type UsageData = Record<string, Record<string, [used: number, hard: number]>>;

/** `[projectId, resource, hard]`, sorted: what a sample measured and against which quota. */
export type UsageLayout = [projectId: string, resource: string, hard: number][];

/**
 * The layouts samples refer to, deduplicated by hash: a workspace's projects and quotas change rarely, so its rows
 * carry only a layout id and the `used` numbers in layout order.
 */
export const usageLayouts = pgTable('usage_layouts', {
  id: integer('id').primaryKey().generatedAlwaysAsIdentity(),
  hash: text('hash').notNull().unique(),
  layout: jsonb('layout').$type<UsageLayout>().notNull(),
});

/**
 * Usage samples in three tiers (shared/usage/README.md): 0 = every sample (kept a day), 1 = 5-minute averages
 * (30 days), 2 = hourly averages (400 days). A row is a run from `at` to `until`: a tier-0 sample equal to the
 * latest row only moves its `until`, and a closed tier-1/2 bucket equal to the bucket before it joins that row, so
 * an idle workspace costs a row per tier, not one per 30 s. `samples` counts the samples a row stands for.
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
    layoutId: integer('layout_id')
      .notNull()
      .references(() => usageLayouts.id),
    used: doublePrecision('used').array().notNull(),
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
