import { and, eq, inArray, isNull, lt, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { projects, type UsageData, usageSampling, workspaces } from '../db/schema';
import { EVENTS } from '../events/catalog';
import { enqueueEach } from '../events/outbox';
import { MANAGED_BY, QUOTA } from '../k8s/names';
import { credentialsFromKubeconfig, type Kube, kube } from '../k8s/rest';
import type { Logger } from '../log';
import { releaseState } from '../provisioner/release';
import { parseQuantity } from './quantity';
import { pruneSamples, recordSample, USAGE_CHANNEL } from './store';

export type SamplerDeps = {
  db: Db;
  host: Kube | undefined;
  log: Logger;
  intervalSeconds: number;
  /** How the sampler reaches a vCluster from its admin kubeconfig (tests and benchmarks keep the default). */
  connect?: (kubeconfig: string) => Kube;
};

/** Workspaces whose vCluster answers: a suspended one is scaled to zero and shows as stale. */
const SAMPLED = ['RUNNING', 'UPDATING'] as const;

/** The workspaces the sampler samples: serving ones, not being deleted. */
export async function sampledWorkspaceIds(db: Db): Promise<string[]> {
  const rows = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(and(inArray(workspaces.status, [...SAMPLED]), isNull(workspaces.deletionRequestedAt)));
  return rows.map((w) => w.id);
}

/** The tick: one sample request per serving workspace (each sampled in a delivery of its own), then pruning. */
export async function requestSamples(deps: Pick<SamplerDeps, 'db'>): Promise<number> {
  const ids = await sampledWorkspaceIds(deps.db);
  await enqueueEach(deps.db, ids, (id) => ({
    type: EVENTS.usageSampleRequested.type,
    source: 'usage-sampler',
    subject: id,
    data: { workspaceId: id },
  }));
  await pruneSamples(deps.db);
  return ids.length;
}

export type SampleOutcome = 'sampled' | 'busy' | 'not-running' | 'failed';

type QuotaObject = {
  metadata: { namespace: string; name: string };
  status?: { hard?: Record<string, string>; used?: Record<string, string> };
};

/**
 * Samples one workspace. The lease row makes it one sampling in flight per workspace (a duplicate tick or a
 * redelivery finds it held and returns `busy`), and a sample younger than half an interval is not taken again.
 * A vCluster that does not answer records the failure: the workspace reads as stale, its last numbers stay.
 */
export async function sampleWorkspace(deps: SamplerDeps, workspaceId: string): Promise<SampleOutcome> {
  const { db, intervalSeconds } = deps;
  const leaseMs = Math.max(intervalSeconds, 20) * 1000;
  const [ws] = await db
    .select({ status: workspaces.status, deleting: workspaces.deletionRequestedAt })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  if (!ws || ws.deleting || !(SAMPLED as readonly string[]).includes(ws.status) || !deps.host)
    return 'not-running';
  const leased = await db
    .insert(usageSampling)
    .values({ workspaceId, leasedUntil: sql`now() + ${`${leaseMs} milliseconds`}::interval` })
    .onConflictDoUpdate({
      target: usageSampling.workspaceId,
      set: { leasedUntil: sql`now() + ${`${leaseMs} milliseconds`}::interval` },
      setWhere: and(
        or(isNull(usageSampling.leasedUntil), lt(usageSampling.leasedUntil, sql`now()`)),
        or(
          isNull(usageSampling.sampledAt),
          lt(
            usageSampling.sampledAt,
            sql`now() - ${`${(intervalSeconds * 1000) / 2} milliseconds`}::interval`,
          ),
        ),
      ),
    })
    .returning({ workspaceId: usageSampling.workspaceId });
  if (leased.length === 0) return 'busy';
  const at = new Date();
  try {
    const data = await readQuotas(deps, deps.host, workspaceId);
    await recordSample(db, { workspaceId, at, data }, { maxGapMs: intervalSeconds * 3000 });
    await db
      .update(usageSampling)
      .set({ sampledAt: at, leasedUntil: null, failedAt: null, error: null })
      .where(eq(usageSampling.workspaceId, workspaceId));
    return 'sampled';
  } catch (err) {
    const message = err instanceof SamplingError ? err.message : 'The vCluster did not answer.';
    deps.log.warn({ wsId: workspaceId, err: (err as Error).message }, 'usage sample failed');
    // Streams learn of the failure at once: the workspace turns stale now, not an interval later.
    await db.transaction(async (tx) => {
      await tx
        .update(usageSampling)
        .set({ failedAt: at, leasedUntil: null, error: message })
        .where(eq(usageSampling.workspaceId, workspaceId));
      await tx.execute(sql`select pg_notify(${USAGE_CHANNEL}, ${workspaceId})`);
    });
    return 'failed';
  }
}

class SamplingError extends Error {}

/** The ResourceQuota of every project namespace, by project id; namespaces of no project are not ours to count. */
async function readQuotas(deps: SamplerDeps, host: Kube, workspaceId: string): Promise<UsageData> {
  const release = await releaseState(host, workspaceId);
  if (release.phase !== 'ready') throw new SamplingError('The vCluster is not ready.');
  const inside = (deps.connect ?? ((k: string) => kube(credentialsFromKubeconfig(k))))(release.kubeconfig);
  const selector = Object.entries(MANAGED_BY)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const quotas = await inside.list<QuotaObject>({ kind: 'ResourceQuota' }, selector);
  const byName = new Map(
    (
      await deps.db
        .select({ id: projects.id, name: projects.name })
        .from(projects)
        .where(eq(projects.workspaceId, workspaceId))
    ).map((p) => [p.name, p.id]),
  );
  const data: UsageData = {};
  for (const q of quotas) {
    const projectId = byName.get(q.metadata.namespace);
    if (!projectId || q.metadata.name !== QUOTA) continue;
    const hard = q.status?.hard ?? {};
    const used = q.status?.used ?? {};
    const row: UsageData[string] = {};
    for (const resource of Object.keys(hard).sort())
      row[resource] = [parseQuantity(used[resource] ?? '0'), parseQuantity(hard[resource]!)];
    data[projectId] = row;
  }
  return data;
}
