import {
  ApiException,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  PatchStrategy,
} from '@kubernetes/client-node';
import { MANAGED_BY } from './names';
import type { K8sObject } from './vcluster-objects';

export const FIELD_MANAGER = 'hexabase';

/** The kinds Hexabase may prune inside a vCluster; anything else is never deleted by it. */
const PRUNABLE = [
  ['rbac.authorization.k8s.io/v1', 'ClusterRoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'ClusterRole'],
  ['rbac.authorization.k8s.io/v1', 'RoleBinding'],
  ['rbac.authorization.k8s.io/v1', 'Role'],
  ['v1', 'ResourceQuota'],
  ['v1', 'LimitRange'],
  ['v1', 'Namespace'],
] as const;

export type Cluster = { objects: KubernetesObjectApi };

/** A client for one cluster from a kubeconfig (the vCluster admin kubeconfig never leaves this process). */
export function clusterFromKubeconfig(kubeconfig: string): Cluster {
  const kc = new KubeConfig();
  kc.loadFromString(kubeconfig);
  return { objects: KubernetesObjectApi.makeApiClient(kc) };
}

const key = (o: { apiVersion?: string; kind?: string; metadata?: { name?: string; namespace?: string } }) =>
  `${o.apiVersion}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** Server-side apply with field manager `hexabase`, forcing ownership of the fields it sets. */
export async function apply(cluster: Cluster, objects: K8sObject[]): Promise<void> {
  // Namespaces first: namespaced objects need them.
  const ordered = [...objects].sort(
    (a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'),
  );
  for (const o of ordered) {
    await cluster.objects.patch(
      o as KubernetesObject,
      undefined,
      undefined,
      FIELD_MANAGER,
      true,
      PatchStrategy.ServerSideApply,
    );
  }
}

/**
 * Deletes what Hexabase labelled and no longer wants. Only objects carrying app.kubernetes.io/managed-by=hexabase
 * are candidates, so objects created by users (or by Kubernetes) are never touched.
 */
export async function prune(cluster: Cluster, desired: K8sObject[]): Promise<string[]> {
  const wanted = new Set(desired.map(key));
  const selector = Object.entries(MANAGED_BY)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const removed: string[] = [];
  for (const [apiVersion, kind] of PRUNABLE) {
    const list = await cluster.objects.list(
      apiVersion,
      kind,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      selector,
    );
    for (const item of list.items) {
      const k = key({ apiVersion, kind, metadata: item.metadata });
      if (wanted.has(k)) continue;
      try {
        await cluster.objects.delete({
          apiVersion,
          kind,
          metadata: { name: item.metadata!.name!, namespace: item.metadata?.namespace },
        } as KubernetesObject);
        removed.push(k);
      } catch (err) {
        if (!(err instanceof ApiException && err.code === 404)) throw err;
      }
    }
  }
  return removed;
}
