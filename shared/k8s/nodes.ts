import { DEDICATED_TAINT, NODE_CLAIMED_AT, NODE_POOL, NODE_WORKSPACE_LABEL } from './names';
import { isConflict, isNotFound, type Kube } from './rest';

/**
 * Dedicated nodes on the host cluster (CONTRACT: Dedicated nodes). A claim is one conditional write per node (label,
 * annotation and taint together, guarded by the node's resourceVersion), so two claimers racing for the same node
 * cannot both win: the loser gets 409 from the API server and moves on.
 */
export type Taint = { key: string; value?: string; effect: string };
export type Node = {
  metadata: {
    name: string;
    resourceVersion: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec?: { taints?: Taint[]; unschedulable?: boolean };
};

export class NoDedicatedNodesError extends Error {
  readonly code = 'NO_DEDICATED_NODES_AVAILABLE';
  constructor(
    readonly wanted: number,
    readonly available: number,
  ) {
    super(`${wanted} dedicated node(s) wanted, only ${available} can be had from the pool`);
  }
}

const POOL_SELECTOR = `${NODE_POOL.label}=${NODE_POOL.value}`;
/** Conflicts from unrelated writers (kubelet status, other labels) are retried this many times per node. */
const ATTEMPTS = 5;

export type NodeRequirements = { nodeCount: number; labels?: Record<string, string> };

const owner = (n: Node) => n.metadata.labels?.[NODE_WORKSPACE_LABEL];
const matches = (n: Node, labels: Record<string, string> = {}) =>
  Object.entries(labels).every(([k, v]) => n.metadata.labels?.[k] === v);
const free = (n: Node, labels?: Record<string, string>) =>
  !owner(n) && !n.spec?.unschedulable && matches(n, labels);

export async function poolNodes(host: Kube): Promise<Node[]> {
  const nodes = await host.list<Node>({ kind: 'Node' }, POOL_SELECTOR);
  return nodes.sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

export const claimedBy = (nodes: Node[], wsId: string) => nodes.filter((n) => owner(n) === wsId);

/** One conditional write; false when the node is no longer free (someone else claimed it first). */
async function claimOne(host: Kube, node: Node, wsId: string, labels?: Record<string, string>) {
  let current: Node | undefined = node;
  for (let i = 0; i < ATTEMPTS && current && free(current, labels); i++) {
    const taints = (current.spec?.taints ?? []).filter((t) => t.key !== DEDICATED_TAINT);
    try {
      await host.patch(
        { kind: 'Node', name: current.metadata.name },
        {
          metadata: {
            resourceVersion: current.metadata.resourceVersion,
            labels: { [NODE_WORKSPACE_LABEL]: wsId },
            annotations: { [NODE_CLAIMED_AT]: new Date().toISOString() },
          },
          spec: { taints: [...taints, { key: DEDICATED_TAINT, value: wsId, effect: 'NoSchedule' }] },
        },
      );
      return true;
    } catch (err) {
      if (!isConflict(err)) throw err;
      current = await host.get<Node>({ kind: 'Node', name: current.metadata.name });
    }
  }
  return current ? owner(current) === wsId : false;
}

/** Removes the claim of `wsId` from a node (label, annotation and taint); a node claimed by another is left alone. */
export async function releaseNode(host: Kube, name: string, wsId: string): Promise<void> {
  for (let i = 0; i < ATTEMPTS; i++) {
    const node = await host.get<Node>({ kind: 'Node', name });
    if (!node || owner(node) !== wsId) return;
    try {
      await host.patch(
        { kind: 'Node', name },
        {
          metadata: {
            resourceVersion: node.metadata.resourceVersion,
            labels: { [NODE_WORKSPACE_LABEL]: null },
            annotations: { [NODE_CLAIMED_AT]: null },
          },
          spec: { taints: (node.spec?.taints ?? []).filter((t) => t.key !== DEDICATED_TAINT) },
        },
      );
      return;
    } catch (err) {
      if (isNotFound(err)) return;
      if (!isConflict(err)) throw err;
    }
  }
  throw new Error(`node ${name} kept changing while releasing it`);
}

/**
 * Makes `wsId` hold `want.nodeCount` pool nodes: claims free ones, all or nothing (what this call claimed is released
 * again when there are not enough). With `shrink`, nodes beyond the count are released too. Returns what the
 * workspace holds now and which of those this call claimed.
 */
export async function ensureDedicatedNodes(
  host: Kube,
  wsId: string,
  want: NodeRequirements,
  opts: { shrink: boolean },
): Promise<{ held: string[]; claimed: string[] }> {
  const nodes = await poolNodes(host);
  const held = claimedBy(nodes, wsId).map((n) => n.metadata.name);
  if (held.length >= want.nodeCount) {
    if (!opts.shrink) return { held, claimed: [] };
    for (const name of held.slice(want.nodeCount)) await releaseNode(host, name, wsId);
    return { held: held.slice(0, want.nodeCount), claimed: [] };
  }
  const claimed: string[] = [];
  for (const node of nodes.filter((n) => free(n, want.labels))) {
    if (held.length + claimed.length >= want.nodeCount) break;
    if (await claimOne(host, node, wsId, want.labels)) claimed.push(node.metadata.name);
  }
  if (held.length + claimed.length < want.nodeCount) {
    for (const name of claimed) await releaseNode(host, name, wsId);
    throw new NoDedicatedNodesError(want.nodeCount, held.length + claimed.length);
  }
  return { held: [...held, ...claimed], claimed };
}

/** Releases every node `wsId` holds (downgrade to no dedicated nodes, deletion). */
export async function releaseDedicatedNodes(host: Kube, wsId: string): Promise<string[]> {
  const held = claimedBy(await poolNodes(host), wsId).map((n) => n.metadata.name);
  for (const name of held) await releaseNode(host, name, wsId);
  return held;
}

/**
 * Claims whose workspace does not exist (a creation that failed after claiming, or a process that died before its
 * transaction committed). A grace period keeps in-flight creations out of it.
 */
export function orphanedClaims(
  nodes: Node[],
  exists: (wsId: string) => boolean,
  now: Date,
  graceMs: number,
): { name: string; wsId: string }[] {
  return nodes.flatMap((n) => {
    const wsId = owner(n);
    if (!wsId || exists(wsId)) return [];
    const at = Date.parse(n.metadata.annotations?.[NODE_CLAIMED_AT] ?? '');
    return Number.isNaN(at) || now.getTime() - at > graceMs ? [{ name: n.metadata.name, wsId }] : [];
  });
}

/** What the API needs from the pool: claims at request time, so "not enough nodes" is a 409 before anything is written. */
export type NodePool = {
  reserve: (wsId: string, want: NodeRequirements) => Promise<{ held: string[]; claimed: string[] }>;
  release: (wsId: string, names: string[]) => Promise<void>;
};

export function nodePool(host: Kube | undefined): NodePool {
  return {
    reserve: async (wsId, want) => {
      if (!host) throw new NoDedicatedNodesError(want.nodeCount, 0);
      return ensureDedicatedNodes(host, wsId, want, { shrink: false });
    },
    release: async (wsId, names) => {
      if (host) for (const name of names) await releaseNode(host, name, wsId);
    },
  };
}
