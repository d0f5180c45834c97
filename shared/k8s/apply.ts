import { MANAGED_BY } from './names';
import { credentialsFromKubeconfig, type Kube, kube } from './rest';
import type { K8sObject } from './vcluster-objects';

/** The kinds Hexabase may prune inside a vCluster; anything else is never deleted by it. */
const PRUNABLE = [
  'ClusterRoleBinding',
  'ClusterRole',
  'RoleBinding',
  'Role',
  'ResourceQuota',
  'LimitRange',
  'Namespace',
];

/** A client for one cluster from a kubeconfig (the vCluster admin kubeconfig never leaves this process). */
export function clusterFromKubeconfig(kubeconfig: string): Kube {
  return kube(credentialsFromKubeconfig(kubeconfig));
}

const key = (o: { kind?: string; metadata?: { name?: string; namespace?: string } }) =>
  `${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`;

/** Server-side apply with field manager `hexabase`, forcing ownership of the fields it sets. Namespaces first. */
export async function apply(cluster: Kube, objects: K8sObject[]): Promise<void> {
  const ordered = [...objects].sort(
    (a, b) => Number(b.kind === 'Namespace') - Number(a.kind === 'Namespace'),
  );
  for (const o of ordered) await cluster.apply(o);
}

/**
 * Deletes what Hexabase labelled and no longer wants. Only objects carrying app.kubernetes.io/managed-by=hexabase
 * are candidates, so objects created by users (or by Kubernetes) are never touched.
 */
export async function prune(cluster: Kube, desired: K8sObject[]): Promise<string[]> {
  const wanted = new Set(desired.map(key));
  const selector = Object.entries(MANAGED_BY)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const removed: string[] = [];
  for (const kind of PRUNABLE) {
    const items = await cluster.list<{ metadata: { name: string; namespace?: string } }>({ kind }, selector);
    for (const item of items) {
      const k = key({ kind, metadata: item.metadata });
      if (wanted.has(k)) continue;
      await cluster.delete({ kind, name: item.metadata.name, namespace: item.metadata.namespace });
      removed.push(k);
    }
  }
  return removed;
}
