import { createMemoryCache } from '../shared/cache';
import { createVersionedCache } from '../shared/cache/versioned';
import { parseEnv } from '../shared/env';
import { createLogger } from '../shared/log';
import { chartOptions, hostCluster } from '../shared/provisioner/host';
import { Requeue, reconcileWorkspace } from '../shared/provisioner/reconcile';
import { startTestEnvironment } from '../shared/testing/kube/cluster';
import { startHelmReleaseStandIn } from '../shared/testing/kube/helmrelease-standin';
import { createWorkspace } from '../shared/workspaces/workspaces';
import { appendReport, benchOrganization, withBenchDatabase } from './bench-support';

/**
 * Provisioning on the real host cluster with the Flux/vCluster stand-in: one workspace alone (API call → RUNNING,
 * minus what the stand-in spends starting its control plane), then 20 created at once.
 */
const log = createLogger({ level: 'silent', name: 'bench' });
const kubeEnv = await startTestEnvironment();
const standIn = await startHelmReleaseStandIn(kubeEnv, { intervalMs: 200 });
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

    const bareStart = performance.now();
    const bare = await kubeEnv.startVirtualCluster({ name: 'bare' });
    const bareMs = performance.now() - bareStart;
    await bare.stop();

    const provision = async (i: number) => {
      const t0 = performance.now();
      const { workspaceId } = await createWorkspace(
        { db },
        { userId },
        {
          orgId,
          name: `bench-${i}`,
          planId: 'free',
        },
      );
      for (;;) {
        try {
          if ((await reconcileWorkspace(deps, workspaceId)) === 'running') return performance.now() - t0;
        } catch (err) {
          if (!(err instanceof Requeue)) throw err;
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    const single = await provision(0);
    const t20 = performance.now();
    const many = await Promise.all(Array.from({ length: 20 }, (_, i) => provision(i + 1)));
    const wall20 = performance.now() - t20;
    many.sort((a, b) => a - b);
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    const lines = [
      '',
      '## Provisioning: API call → RUNNING (real host kube-apiserver, Flux/vCluster stand-in)',
      '',
      'Each virtual cluster is a real kube-apiserver + kube-controller-manager started by the stand-in; Hexabase applies the host objects, waits for `Ready` and the `vc-vcluster` Secret, then applies RBAC and projects inside. Polling every 200 ms (the dispatcher retries with backoff instead).',
      '',
      '| measure | value |',
      '|---|---|',
      `| one workspace, API call → RUNNING | ${s(single)} |`,
      `| of which the stand-in starting a bare control plane | ${s(bareMs)} |`,
      `| control-plane overhead per workspace (difference) | ${s(single - bareMs)} |`,
      `| 20 workspaces created at once: all RUNNING after | ${s(wall20)} (fastest ${s(many[0]!)}, median ${s(many[10]!)}, slowest ${s(many[19]!)}) |`,
      '',
    ];
    appendReport(lines);
  });
} finally {
  await standIn.stop();
  await kubeEnv.stop();
}
