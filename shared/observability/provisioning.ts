import { and, count, inArray, isNull, sql } from 'drizzle-orm';
import { Gauge, Histogram, type Registry } from 'prom-client';
import type { Db } from '../db';
import { workspaceStatus, workspaces } from '../db/schema';
import type { ProvisionerMetrics } from '../provisioner/reconcile';
import { registered } from './metric';

/** From a few seconds (a pass that only reads) to a minute (waiting on a slow API server's timeouts). */
const PASS_BUCKETS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** A vCluster install takes minutes; the alert's threshold (prometheus-rules.ts) must be one of these bounds. */
export const PROVISIONING_BUCKETS = [15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600];

const FIRST_PROVISIONING = ['PENDING_CREATION', 'PROVISIONING', 'CONFIGURING'] as const;

/**
 * The provisioner's metrics: how each pass ends and how long it takes, how long workspaces took to provision
 * (observed once per workspace, by the pass that records its first verdict: shared/provisioner/writer.ts), and,
 * read from the database at each scrape, how many workspaces are in each status and how long the oldest one still
 * provisioning has been waiting (which a stuck workspace shows long before it ever reaches the histogram).
 */
export function registerProvisionerMetrics(registry: Registry, db: Db): ProvisionerMetrics {
  const passes = registered(
    registry,
    'hexabase_reconcile_duration_seconds',
    () =>
      new Histogram({
        name: 'hexabase_reconcile_duration_seconds',
        help: 'Duration of one reconcile pass of a workspace, by how it ended',
        labelNames: ['outcome'],
        buckets: PASS_BUCKETS,
        registers: [registry],
      }),
  );
  const provisioning = registered(
    registry,
    'hexabase_workspace_provisioning_duration_seconds',
    () =>
      new Histogram({
        name: 'hexabase_workspace_provisioning_duration_seconds',
        help: "From a workspace's creation to its first RUNNING (outcome running) or terminal ERROR (error)",
        labelNames: ['outcome'],
        buckets: PROVISIONING_BUCKETS,
        registers: [registry],
      }),
  );
  for (const outcome of ['running', 'error']) provisioning.zero({ outcome });
  registered(
    registry,
    'hexabase_workspaces',
    () =>
      new Gauge({
        name: 'hexabase_workspaces',
        help: 'Workspaces by status (every status present, 0 when none)',
        labelNames: ['status'],
        registers: [registry],
        async collect() {
          const rows = await db
            .select({ status: workspaces.status, n: count() })
            .from(workspaces)
            .groupBy(workspaces.status);
          const byStatus = new Map(rows.map((r) => [r.status, r.n]));
          for (const status of workspaceStatus.enumValues) this.set({ status }, byStatus.get(status) ?? 0);
        },
      }),
  );
  registered(
    registry,
    'hexabase_workspace_provisioning_oldest_seconds',
    () =>
      new Gauge({
        name: 'hexabase_workspace_provisioning_oldest_seconds',
        help: 'Age of the oldest workspace not yet provisioned (no first verdict, not being deleted); 0 when none',
        registers: [registry],
        async collect() {
          const [row] = await db
            .select({
              age: sql<number>`coalesce(extract(epoch from now() - min(${workspaces.createdAt})), 0)::float8`,
            })
            .from(workspaces)
            .where(
              and(inArray(workspaces.status, FIRST_PROVISIONING), isNull(workspaces.deletionRequestedAt)),
            );
          this.set(row?.age ?? 0);
        },
      }),
  );
  return {
    reconciled: (outcome, seconds) => passes.observe({ outcome }, seconds),
    provisioned: (outcome, seconds) => provisioning.observe({ outcome }, seconds),
  };
}
