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
 * Claims the dedicated nodes inside the caller's transaction, after every row is written, so "not enough nodes" rolls
 * the rows back (409, nothing changed). Returns what was claimed, to be released if the transaction fails later.
 */
export async function reserveNodes(
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
      );
    throw err;
  }
}
