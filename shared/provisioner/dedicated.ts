import type { Db } from '../db';
import { workspaces } from '../db/schema';
import type { WorkspaceSpec } from '../k8s/host-objects';
import {
  ensureDedicatedNodes,
  NoDedicatedNodesError,
  orphanedClaims,
  poolNodes,
  releaseDedicatedNodes,
  releaseNode,
} from '../k8s/nodes';
import type { Kube } from '../k8s/rest';
import type { Logger } from '../log';
import { nodeRequirements } from '../workspaces/dedicated-nodes';
import { CONDITION, REASON } from './status';
import type { StatusWriter } from './writer';

/**
 * Level-triggered: the workspace holds exactly the nodes its config asks for. The API claimed them at request time;
 * this repairs what changed since (a node removed from the pool, a downgrade, a claim lost to garbage collection)
 * and releases nodes only after the release no longer schedules onto them.
 */
export async function reconcileDedicatedNodes(
  host: Kube,
  ws: WorkspaceSpec,
  status: StatusWriter,
): Promise<void> {
  if (!ws.dedicatedNodes) {
    await releaseDedicatedNodes(host, ws.id);
    return status.drop(CONDITION.nodes);
  }
  try {
    const { held } = await ensureDedicatedNodes(host, ws.id, nodeRequirements(ws.dedicatedNodes), {
      shrink: true,
    });
    status.condition({
      type: CONDITION.nodes,
      status: 'True',
      reason: REASON.claimed,
      message: `Dedicated nodes: ${held.join(', ')}`,
    });
  } catch (err) {
    if (!(err instanceof NoDedicatedNodesError)) throw err;
    status.condition({
      type: CONDITION.nodes,
      status: 'False',
      reason: REASON.notEnoughNodes,
      message: err.message,
    });
  }
}

/** A claim must outlive the request that made it long enough to reach its commit; ten minutes is generous. */
const ORPHAN_GRACE_MS = 10 * 60_000;

/** Releases nodes claimed for workspaces that do not exist (creations that failed after claiming). */
export async function releaseOrphanedClaims(db: Db, host: Kube, log: Logger): Promise<number> {
  const nodes = await poolNodes(host);
  if (!nodes.length) return 0;
  const ids = new Set((await db.select({ id: workspaces.id }).from(workspaces)).map((w) => w.id));
  const orphans = orphanedClaims(nodes, (id) => ids.has(id), new Date(), ORPHAN_GRACE_MS);
  for (const o of orphans) {
    await releaseNode(host, o.name, o.wsId);
    log.info({ node: o.name, workspaceId: o.wsId }, 'released a dedicated node claimed by no workspace');
  }
  return orphans.length;
}
