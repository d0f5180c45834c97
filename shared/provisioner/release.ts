import type { Condition } from '../db/schema';
import { apply } from '../k8s/apply';
import { publicEndpoint } from '../k8s/exposure';
import { type ChartOptions, hostObjects, type WorkspaceSpec } from '../k8s/host-objects';
import { hostNamespace, KUBECONFIG_SECRET, MANAGED_BY, RELEASE } from '../k8s/names';
import { isNotFound, type Kube } from '../k8s/rest';
import { CONDITION, REASON } from './status';

/** Applies the workspace's host objects and removes the exposure objects of a mode the operator left. */
export async function applyHostObjects(host: Kube, ws: WorkspaceSpec, chart: ChartOptions): Promise<void> {
  const desired = hostObjects(ws, chart);
  await apply(host, desired);
  const wanted = new Set(desired.filter((o) => o.kind === 'IngressRouteTCP').map((o) => o.metadata.name));
  const selector = Object.entries(MANAGED_BY)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  try {
    const routes = await host.list<{ metadata: { name: string } }>(
      { kind: 'IngressRouteTCP', namespace: hostNamespace(ws.id) },
      selector,
    );
    for (const r of routes.filter((r) => !wanted.has(r.metadata.name)))
      await host.delete({ kind: 'IngressRouteTCP', name: r.metadata.name, namespace: hostNamespace(ws.id) });
  } catch (err) {
    // No Traefik CRD on this cluster: there is nothing of that kind to remove.
    if (!isNotFound(err)) throw err;
  }
}

/** The condition once the host objects are applied. */
export const hostObjectsApplied = (wsId: string) => ({
  type: CONDITION.host,
  status: 'True' as const,
  reason: REASON.applied,
  message: `Namespace hxb-${wsId} and the vcluster HelmRelease are applied`,
});

export type ReleaseState =
  | { phase: 'failed'; reason: string; message: string }
  | { phase: 'installing' }
  | { phase: 'ready'; kubeconfig: string };

type HelmReleaseObject = {
  metadata: { generation: number };
  status?: { conditions?: (Condition & { observedGeneration?: number })[] };
};

/** Flux's verdict on the release's current generation, and the admin kubeconfig once vCluster exported it. */
export async function releaseState(host: Kube, wsId: string): Promise<ReleaseState> {
  const ns = hostNamespace(wsId);
  const hr = await host.get<HelmReleaseObject>({ kind: 'HelmRelease', name: RELEASE, namespace: ns });
  const ready = hr?.status?.conditions?.find((c) => c.type === 'Ready');
  const current = hr && ready && (ready.observedGeneration ?? 0) >= hr.metadata.generation;
  if (current && ready.status === 'False')
    return { phase: 'failed', reason: ready.reason, message: ready.message };
  const secret = await host.get<{ data?: Record<string, string> }>({
    kind: 'Secret',
    name: KUBECONFIG_SECRET,
    namespace: ns,
  });
  if (!current || ready.status !== 'True' || !secret?.data?.config) return { phase: 'installing' };
  // The admin kubeconfig stays in this process: used for the reconcile, never returned or logged.
  return { phase: 'ready', kubeconfig: Buffer.from(secret.data.config, 'base64').toString() };
}

/** The public URL users' kubectl uses; undefined while a load balancer address or node port is not assigned. */
export async function observedEndpoint(
  host: Kube,
  wsId: string,
  chart: ChartOptions,
): Promise<string | undefined> {
  if (chart.exposure.mode === 'ingress') return publicEndpoint(wsId, chart.exposure);
  const service = await host.get({ kind: 'Service', name: RELEASE, namespace: hostNamespace(wsId) });
  return publicEndpoint(wsId, chart.exposure, service as never);
}
