import { ConflictError } from '../errors';
import { NoDedicatedNodesError, type NodePool } from '../k8s/nodes';

export type DedicatedNodeConfig = {
  nodeCount: number;
  instanceType?: string;
  labels?: Record<string, string>;
};

/** An instance type is a node label like any other (the well-known one Kubernetes sets on every node). */
export const nodeRequirements = (c: DedicatedNodeConfig) => ({
  nodeCount: c.nodeCount,
  labels: { ...c.labels, ...(c.instanceType ? { 'node.kubernetes.io/instance-type': c.instanceType } : {}) },
});

/**
 * Runs a change whose transaction claims dedicated nodes (through `reserve`, after every row is written, so "not
 * enough nodes" rolls the rows back: 409, nothing changed). If the change fails anyway, what it claimed goes back
 * to the pool, since no committed row accounts for it.
 */
export async function withDedicatedNodes<T>(
  nodes: NodePool | undefined,
  wsId: string,
  change: (reserve: (want: DedicatedNodeConfig | null | undefined) => Promise<void>) => Promise<T>,
): Promise<T> {
  const claimed: string[] = [];
  try {
    return await change((want) => reserveNodes(nodes, wsId, want, claimed));
  } catch (err) {
    await nodes?.release(wsId, claimed);
    throw err;
  }
}

async function reserveNodes(
  nodes: NodePool | undefined,
  wsId: string,
  want: DedicatedNodeConfig | null | undefined,
  claimed: string[],
) {
  if (!want) return;
  try {
    if (!nodes) throw new NoDedicatedNodesError(want.nodeCount, 0);
    claimed.push(...(await nodes.reserve(wsId, nodeRequirements(want))).claimed);
  } catch (err) {
    if (err instanceof NoDedicatedNodesError)
      throw new ConflictError(
        `Not enough free dedicated nodes: ${err.message}.`,
        'NO_DEDICATED_NODES_AVAILABLE',
        { cause: err },
      );
    throw err;
  }
}
