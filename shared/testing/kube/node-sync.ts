import { CoreV1Api, KubeConfig, type V1Node } from '@kubernetes/client-node';

const SYNCED = 'standin.hexabase.ai/synced-from-host';

/**
 * vCluster's `sync.fromHost.nodes` with a selector: the host nodes that match appear inside the virtual cluster
 * (name, labels, taints) and no others. Pods cannot run here, so this is the part of dedicated nodes a user can see.
 */
export async function syncNodes(
  host: CoreV1Api,
  virtualKubeconfig: string,
  selector: Record<string, string>,
) {
  const kc = new KubeConfig();
  kc.loadFromString(virtualKubeconfig);
  const virtual = kc.makeApiClient(CoreV1Api);
  const labelSelector = Object.entries(selector)
    .map(([k, v]) => `${k}=${v}`)
    .join(',');
  const wanted = (await host.listNode({ labelSelector })).items;
  const present = (await virtual.listNode()).items.filter((n) => n.metadata?.annotations?.[SYNCED]);
  const copy = (n: V1Node): V1Node => ({
    metadata: {
      name: n.metadata!.name!,
      labels: n.metadata?.labels ?? {},
      annotations: { [SYNCED]: 'true' },
    },
    spec: { taints: n.spec?.taints ?? [] },
  });
  for (const n of wanted) {
    const mine = present.find((p) => p.metadata?.name === n.metadata?.name);
    const want = copy(n);
    if (!mine) await virtual.createNode({ body: want });
    else if (
      JSON.stringify([mine.metadata?.labels ?? {}, mine.spec?.taints ?? []]) !==
      JSON.stringify([want.metadata!.labels, want.spec!.taints])
    )
      await virtual.replaceNode({
        name: want.metadata!.name!,
        body: { ...want, metadata: { ...want.metadata, resourceVersion: mine.metadata?.resourceVersion } },
      });
  }
  for (const p of present)
    if (!wanted.some((n) => n.metadata?.name === p.metadata?.name))
      await virtual.deleteNode({ name: p.metadata!.name! });
}
