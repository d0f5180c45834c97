import { eq, sql } from 'drizzle-orm';
import { createMemoryCache } from '../shared/cache';
import { createVersionedCache } from '../shared/cache/versioned';
import { projects, type UsageData, usageSampling } from '../shared/db/schema';
import { parseEnv } from '../shared/env';
import { newId } from '../shared/ids';
import { createLogger } from '../shared/log';
import { chartOptions, hostCluster } from '../shared/provisioner/host';
import { Requeue, reconcileWorkspace } from '../shared/provisioner/reconcile';
import { startTestEnvironment } from '../shared/testing/kube/cluster';
import { startHelmReleaseStandIn } from '../shared/testing/kube/helmrelease-standin';
import { sampleWorkspace } from '../shared/usage/sampler';
import { recordSample } from '../shared/usage/store';
import { createWorkspace } from '../shared/workspaces/workspaces';
import { appendReport, benchOrganization, withBenchDatabase } from './bench-support';

/**
 * Usage sampling: what one sample of a real vCluster costs the sampler (wall time and its own CPU), how many
 * workspaces one sampler process keeps at the 30 s interval, and what a day of samples stores per workspace.
 */
const WORKSPACES = 4;
const PROJECTS = 3;
const ROUNDS = 25;
const log = createLogger({ level: 'silent', name: 'bench' });
const kubeEnv = await startTestEnvironment();
const standIn = await startHelmReleaseStandIn(kubeEnv, { intervalMs: 200 });
const pct = (s: number[], q: number) =>
  [...s].sort((a, b) => a - b)[Math.min(s.length - 1, Math.floor(q * s.length))]!;
try {
  await withBenchDatabase(async (database) => {
    const db = database.db;
    const env = parseEnv({
      KUBECONFIG: kubeEnv.host.kubeconfigPath,
      HEXABASE_PUBLIC_URL: 'https://127.0.0.1:9',
    });
    const authzCache = createVersionedCache(createMemoryCache(), { ttlSeconds: 60, log });
    const deps = { db, authzCache, host: hostCluster(env), chart: chartOptions(env), log };
    const { userId, orgId } = await benchOrganization(db, 'admin');
    const ids: string[] = [];
    for (let i = 0; i < WORKSPACES; i++) {
      const { workspaceId } = await createWorkspace(
        { db },
        { userId },
        { orgId, name: `usage-${i}`, planId: 'standard' },
      );
      for (let p = 0; p < PROJECTS; p++)
        await db.insert(projects).values({ id: newId('prj'), workspaceId, name: `project-${p}` });
      ids.push(workspaceId);
    }
    await Promise.all(
      ids.map(async (id) => {
        for (;;) {
          try {
            if ((await reconcileWorkspace(deps, id)) === 'running') return;
          } catch (err) {
            if (!(err instanceof Requeue)) throw err;
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }),
    );
    const sampler = { db, host: deps.host, log, intervalSeconds: 30 };
    // The bench samples back to back: it forgets the last sample so that freshness does not turn it away.
    const forget = (id: string) =>
      db.update(usageSampling).set({ sampledAt: null }).where(eq(usageSampling.workspaceId, id));
    for (const id of ids) await sampleWorkspace(sampler, id); // warm connections and plans

    const walls: number[] = [];
    const cpu0 = process.cpuUsage();
    for (let r = 0; r < ROUNDS; r++)
      for (const id of ids) {
        await forget(id);
        const t = performance.now();
        if ((await sampleWorkspace(sampler, id)) !== 'sampled') throw new Error('sample not taken');
        walls.push(performance.now() - t);
      }
    const cpu = process.cpuUsage(cpu0);
    const cpuMs = (cpu.user + cpu.system) / 1000 / walls.length;

    // Eight at a time, as the dispatcher delivers to one worker.
    const concurrentStart = performance.now();
    let done = 0;
    const queue = Array.from({ length: ROUNDS }, () => ids).flat();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        for (let id = queue.shift(); id; id = queue.shift()) {
          await forget(id);
          if ((await sampleWorkspace(sampler, id)) === 'sampled') done++;
        }
      }),
    );
    const perSecond = done / ((performance.now() - concurrentStart) / 1000);

    // A day at 30 s, simulated through the real store: an idle workspace, and one whose usage changes every sample.
    const day = async (changing: boolean) => {
      const { workspaceId } = await createWorkspace(
        { db },
        { userId },
        { orgId, name: `day-${changing}`, planId: 'standard' },
      );
      const t0 = Date.parse('2026-11-01T00:00:00Z');
      for (let i = 0; i < 2880; i++) {
        const data: UsageData = {};
        for (let p = 0; p < PROJECTS; p++)
          data[`prj-${p}`] = {
            'requests.cpu': [changing ? (i % 17) * 0.25 : 1, 8],
            'requests.memory': [changing ? (i % 13) * 2 ** 27 : 2 ** 30, 16 * 2 ** 30],
            'limits.cpu': [2, 16],
            'limits.memory': [2 ** 31, 32 * 2 ** 30],
            pods: [changing ? i % 11 : 4, 100],
            persistentvolumeclaims: [1, 20],
            'requests.storage': [2 ** 30, 100 * 2 ** 30],
            'services.loadbalancers': [0, 2],
          };
        await recordSample(db, { workspaceId, at: new Date(t0 + i * 30_000), data }, { maxGapMs: 90_000 });
      }
      const rows = (await db.execute(sql`
        select tier, count(*)::int as rows, sum(pg_column_size(s.*))::int as bytes
        from usage_samples s where workspace_id = ${workspaceId} group by tier order by tier`)) as unknown as {
        rows: { tier: number; rows: number; bytes: number }[];
      };
      return rows.rows;
    };
    const idle = await day(false);
    const busy = await day(true);
    const tier = (t: { tier: number; rows: number; bytes: number }[], n: number) =>
      t.find((x) => x.tier === n)!;
    const kb = (b: number) => `${(b / 1024).toFixed(1)} KB`;
    /** What a changing workspace holds once every tier is full: a day of tier 0, 30 of tier 1, 400 of tier 2. */
    const steady = (t: { tier: number; rows: number; bytes: number }[]) =>
      tier(t, 0).bytes + 30 * tier(t, 1).bytes + 400 * tier(t, 2).bytes;
    appendReport([
      '',
      '## Usage sampling (real vClusters on the host cluster, real PostgreSQL)',
      '',
      `${WORKSPACES} workspaces on the Standard plan with ${PROJECTS} projects each, running on the Flux/vCluster stand-in; each sample reads the admin kubeconfig Secret on the host, lists the project quotas inside the vCluster and stores the sample in all three tiers in one transaction.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| one sample, one at a time (${walls.length}) | p50 ${pct(walls, 0.5).toFixed(1)} ms, p95 ${pct(walls, 0.95).toFixed(1)} ms |`,
      `| sampler CPU per sample (its own process) | ${cpuMs.toFixed(2)} ms |`,
      `| eight at a time (the dispatcher's concurrency) | ${perSecond.toFixed(0)} samples/s |`,
      `| workspaces one sampler keeps at 30 s, by throughput | ${Math.floor(perSecond * 30)} |`,
      `| workspaces one sampler core keeps at 30 s, by its CPU | ${Math.floor(30_000 / cpuMs)} |`,
      `| a day stored, idle workspace (tier 0 / 5 min / hourly rows) | ${kb(tier(idle, 0).bytes + tier(idle, 1).bytes + tier(idle, 2).bytes)} (${tier(idle, 0).rows} / ${tier(idle, 1).rows} / ${tier(idle, 2).rows}) |`,
      `| a day stored, usage changing every sample | ${kb(tier(busy, 0).bytes + tier(busy, 1).bytes + tier(busy, 2).bytes)} (${tier(busy, 0).rows} / ${tier(busy, 1).rows} / ${tier(busy, 2).rows}) |`,
      `| steady state per workspace with usage changing every sample (1 day raw, 30 days of 5 min, 400 days hourly) | ${kb(steady(busy))} (an idle one stays at its runs: a few rows whatever its age) |`,
      '',
      'Row bytes are `pg_column_size` of the rows (a layout id and an array of `used` numbers each; the layout of projects, resources and quotas is stored once per change, a few hundred bytes); the primary key index adds about 40 bytes a row. The vCluster side of a sample is one LIST of ResourceQuotas; the stand-in runs every vCluster on this machine, so the wall times include their API servers sharing its two cores.',
      '',
    ]);
  });
} finally {
  await standIn.stop();
  await kubeEnv.stop();
}
