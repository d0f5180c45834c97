import { join } from 'node:path';
import {
  ApiException,
  CoreV1Api,
  CustomObjectsApi,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { chartInstaller } from './chart-objects';
import type { TestEnvironment, VirtualCluster } from './cluster';
import { hostsFile } from './hosts-file';
import { exportedKubeconfigSecret } from './kubeconfig';
import { kubectl } from './kubectl';
import { type NetworkStandIn, startNetworkStandIn } from './network-standin';
import { syncNodes } from './node-sync';
import { HELM_RELEASES, type ReleaseMeta, releaseStatus } from './release-status';
import { InvalidValuesError, readVClusterValues, type StandInConfig } from './vcluster-values';

/**
 * Stands in for Flux's helm-controller + the vCluster chart on the host cluster, because pods cannot run here.
 * For each HelmRelease of the `vcluster` chart it starts a virtual cluster (a real kube-apiserver +
 * kube-controller-manager) configured from the release values, writes the admin kubeconfig Secret the way vCluster
 * does (`vc-<release>`, key `config`), applies the plan policies as vCluster does on the host, and reports the
 * `Ready` condition. `controlPlane.statefulSet.highAvailability.replicas: 0` stops the cluster's processes as a
 * StatefulSet scaled to zero stops its pod, and more replicas start it again with its data. Deleting the release
 * stops the cluster. It is test infrastructure, not product code.
 */
const FINALIZER = 'standin.hexabase.ai/vcluster';
const FIELD_MANAGER = 'vcluster-standin';
const CRD_FILES = ['helmrelease-crd.yaml', 'traefik-ingressroutetcp-crd.yaml'].map((f) =>
  join(import.meta.dirname, 'fixtures', f),
);

type Release = {
  metadata: ReleaseMeta & { uid: string; deletionTimestamp?: string };
  spec?: { chart?: { spec?: { chart?: string } }; values?: unknown };
  status?: { conditions?: { type: string; status: string; observedGeneration?: number }[] };
};

type Running = {
  cluster: VirtualCluster;
  generation: number;
  authn: string;
  namespace: string;
  release: string;
  cfg: StandInConfig;
  /** Scaled to zero: its processes are stopped, its objects kept under its etcd prefix. */
  scaledDown: boolean;
};

/**
 * The chart's StatefulSet replicas: 0 stops the API server (its data stays under its etcd prefix, as vCluster's
 * stays on the StatefulSet's volume); any other count runs the one API server the stand-in has, as it was.
 */
async function scale(run: Running, replicas: number): Promise<void> {
  if (replicas === 0 && !run.scaledDown) {
    await run.cluster.stop();
    run.scaledDown = true;
  } else if (replicas > 0 && run.scaledDown) {
    await run.cluster.relaunch();
    run.scaledDown = false;
  }
}

export type StandIn = {
  stop: () => Promise<void>;
  clusters: () => Map<string, VirtualCluster>;
  /** Where the ingress stand-in accepts TLS (passthrough by server name) on 127.0.0.1. */
  ingressPort: number;
};

export type StandInOptions = {
  intervalMs?: number;
  /** The ingress stand-in's port (0 or unset: any free port). */
  ingressPort?: number;
  /** Where workspace host names are mapped to loopback. */
  hostsPath?: string;
};

const isNotFound = (e: unknown) => e instanceof ApiException && e.code === 404;

export async function startHelmReleaseStandIn(
  env: TestEnvironment,
  opts: StandInOptions = {},
): Promise<StandIn> {
  const kc = new KubeConfig();
  kc.loadFromString(env.host.kubeconfig);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  const custom = kc.makeApiClient(CustomObjectsApi);
  const core = kc.makeApiClient(CoreV1Api);
  // kubectl, not the typed client: client-node re-serialises known kinds and drops x-kubernetes-* schema keys.
  for (const file of CRD_FILES) {
    const crd = await kubectl(env.binaries.kubectl, ['apply', '--server-side', '-f', file], {
      kubeconfig: env.host.kubeconfigPath,
    });
    if (crd.code !== 0) throw new Error(`installing ${file} failed: ${crd.stderr}`);
  }
  await waitForCrds(custom);

  const running = new Map<string, Running>();
  const network: NetworkStandIn = await startNetworkStandIn({
    kubeconfig: env.host.kubeconfig,
    hosts: hostsFile(opts.hostsPath),
    ...(opts.ingressPort !== undefined ? { ingressPort: opts.ingressPort } : {}),
    // The chart's Service is named after the release and selects its pods: here, the virtual cluster.
    // Scaled to zero, the Service has no endpoints: connections to it are refused.
    backendFor: (namespace, service) => {
      const r = [...running.values()].find((x) => x.namespace === namespace && x.release === service);
      return r && !r.scaledDown
        ? { host: '127.0.0.1', port: Number(new URL(r.cluster.url).port) }
        : undefined;
    },
  });
  const apply = (o: object) =>
    objects.patch(o as never, undefined, undefined, FIELD_MANAGER, true, PatchStrategy.ServerSideApply);

  const { setReady, setFinalizers } = releaseStatus(custom);
  const helm = chartInstaller({ objects, core, network, apply });

  const reconcile = async (r: Release) => {
    const key = r.metadata.uid;
    const secretName = (cfg?: StandInConfig) => cfg?.kubeconfigSecret ?? `vc-${r.metadata.name}`;
    if (r.metadata.deletionTimestamp) {
      await running.get(key)?.cluster.stop();
      running.delete(key);
      await helm.removeChartObjects(r.metadata);
      await core
        .deleteNamespacedSecret({ name: secretName(), namespace: r.metadata.namespace })
        .catch((e) => {
          if (!isNotFound(e)) throw e;
        });
      await setFinalizers(
        r,
        (r.metadata.finalizers ?? []).filter((f) => f !== FINALIZER),
      );
      return;
    }
    if (!r.metadata.finalizers?.includes(FINALIZER)) {
      await setFinalizers(r, [...(r.metadata.finalizers ?? []), FINALIZER]);
    }
    const current = running.get(key);
    const ready = r.status?.conditions?.find((c) => c.type === 'Ready');
    // A failed install is retried only when the release changes (like Flux without remediation retries left).
    if (!current && ready?.status === 'False' && ready.observedGeneration === r.metadata.generation) return;
    if (
      current &&
      current.generation === r.metadata.generation &&
      ready?.observedGeneration === r.metadata.generation
    )
      return;
    let cfg: StandInConfig;
    let authn: string | undefined;
    try {
      cfg = readVClusterValues(r.spec?.values);
      authn = await helm.authenticationConfig(r.metadata.namespace, cfg);
    } catch (err) {
      if (err instanceof InvalidValuesError || isNotFound(err)) {
        await setReady(
          r,
          false,
          'InstallFailed',
          `Helm install failed: values don't meet the chart's requirements: ${(err as Error).message}`,
        );
        return;
      }
      throw err;
    }
    const sans = await helm.applyChartObjects(r.metadata, cfg);
    if (current) {
      if (current.authn !== (authn ?? '')) current.cluster.setAuthenticationConfig(authn);
      current.authn = authn ?? '';
      current.cfg = cfg;
    } else {
      let cluster: VirtualCluster;
      try {
        cluster = await env.startVirtualCluster({
          name: `${r.metadata.namespace}-${r.metadata.name}`.slice(0, 50),
          ...(authn ? { authenticationConfig: authn } : {}),
          sans,
        });
      } catch (err) {
        // What Flux reports when the chart's pods never become ready: the install failed, with the reason.
        await setReady(
          r,
          false,
          'InstallFailed',
          `Helm install failed: the vCluster did not start: ${(err as Error).message}`,
        );
        return;
      }
      running.set(key, {
        cluster,
        generation: r.metadata.generation,
        authn: authn ?? '',
        namespace: r.metadata.namespace,
        release: r.metadata.name,
        cfg,
        scaledDown: false,
      });
      await apply(
        exportedKubeconfigSecret({
          name: secretName(cfg),
          namespace: r.metadata.namespace,
          release: r.metadata.name,
          server: cluster.url,
          caPem: cluster.ca.certPem,
          certPem: cluster.admin.certPem,
          keyPem: cluster.admin.keyPem,
        }),
      );
    }
    // A cluster that does not come back stays as it is and is retried on the next tick, as Flux waits for the
    // StatefulSet's pods: the release keeps the verdict of its previous generation meanwhile.
    await scale(running.get(key)!, cfg.replicas);
    running.get(key)!.generation = r.metadata.generation;
    await helm.applyPolicies(r.metadata, cfg);
    const verb = current ? 'upgrade' : 'install';
    await setReady(
      r,
      true,
      current ? 'UpgradeSucceeded' : 'InstallSucceeded',
      `Helm ${verb} succeeded for release ${r.metadata.namespace}/${r.metadata.name} (stand-in)`,
    );
  };

  let stopped = false;
  let busy: Promise<void> = Promise.resolve();
  const tick = async () => {
    const list = (await custom.listClusterCustomObject(HELM_RELEASES)) as { items: Release[] };
    const present = new Set<string>();
    for (const r of list.items) {
      if (r.spec?.chart?.spec?.chart !== 'vcluster') continue;
      present.add(r.metadata.uid);
      try {
        await reconcile(r);
      } catch (err) {
        if (!(err instanceof ApiException && (err.code === 409 || err.code === 404))) {
          console.warn(
            `vcluster stand-in: ${r.metadata.namespace}/${r.metadata.name}: ${(err as Error).message}`,
          );
        }
      }
    }
    for (const run of running.values())
      if (run.cfg.nodeSelector && !run.scaledDown)
        await syncNodes(core, run.cluster.kubeconfig, run.cfg.nodeSelector).catch((err) =>
          console.warn(`vcluster stand-in: syncing nodes into ${run.namespace}: ${(err as Error).message}`),
        );
    // Released without our finalizer (e.g. the namespace was force-deleted): stop what is left.
    for (const [uid, run] of running) {
      if (!present.has(uid)) {
        await run.cluster.stop();
        running.delete(uid);
      }
    }
  };
  const timer = setInterval(() => {
    busy = busy.then(() => (stopped ? undefined : tick().catch(() => {})));
  }, opts.intervalMs ?? 300);

  return {
    clusters: () => new Map([...running].map(([uid, r]) => [uid, r.cluster])),
    ingressPort: network.ingressPort,
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await busy;
      await network.stop();
      for (const r of running.values()) await r.cluster.stop();
      running.clear();
    },
  };
}

async function waitForCrds(custom: CustomObjectsApi) {
  const apis = [HELM_RELEASES, { group: 'traefik.io', version: 'v1alpha1', plural: 'ingressroutetcps' }];
  for (let i = 0; i < 100; i++) {
    try {
      for (const api of apis) await custom.listClusterCustomObject(api);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error('the HelmRelease and IngressRouteTCP CRDs did not become available');
}
