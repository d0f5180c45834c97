import { eq } from 'drizzle-orm';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import { plans, workspaces } from '../db/schema';
import type { ChartOptions, WorkspaceSpec } from '../k8s/host-objects';
import { credentialsFromKubeconfig, type Kube } from '../k8s/rest';
import type { Logger } from '../log';
import type { ResourceLimits } from '../plans';
import { reconcileDedicatedNodes, releaseOrphanedClaims } from './dedicated';
import { deleteWorkspaceResources } from './deletion';
import { syncInsideVCluster } from './inside';
import { applyHostObjects, observedEndpoint, releaseState } from './release';
import { CONDITION, progressTask, setStatus, withCondition, withReadySummary } from './status';

/** Not done yet, nothing wrong: the caller retries later (5xx to the dispatcher, or the next tick). */
export class Requeue extends Error {}

export type ProvisionerDeps = {
  db: Db;
  /** A deleted workspace's cached authorization goes with its row (shared/authz). */
  authzCache: VersionedCache;
  host: Kube | undefined;
  chart: ChartOptions;
  log: Logger;
};

export type Outcome = 'gone' | 'running' | 'error' | 'no-host';

/**
 * Level-triggered reconcile of one workspace, controller-style: read the rows, move the world one step toward
 * them, record conditions, and ask to be called again (Requeue) while something is still converging.
 *
 * A workspace that is serving (RUNNING, or UPDATING in place) keeps that status through every pass: sync progress
 * shows in the conditions, never as a lifecycle status, so its kubeconfig stays available throughout.
 */
export async function reconcileWorkspace(deps: ProvisionerDeps, wsId: string): Promise<Outcome> {
  const { db, host } = deps;
  const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, wsId));
  if (!ws) return 'gone';
  if (!host) {
    await setStatus(db, wsId, {
      statusMessage: 'No host cluster is configured (set KUBECONFIG); the workspace waits to be provisioned.',
    });
    return 'no-host';
  }
  if (ws.deletionRequestedAt) {
    await deleteWorkspaceResources(deps, host, wsId, (why) => new Requeue(why));
    return 'gone';
  }

  const [plan] = await db.select().from(plans).where(eq(plans.id, ws.planId));
  const spec: WorkspaceSpec = {
    id: wsId,
    organizationId: ws.organizationId,
    limits: plan!.resourceLimits as ResourceLimits,
    dedicatedNodes: (ws.dedicatedNodeConfig as WorkspaceSpec['dedicatedNodes']) ?? null,
  };
  const serving = ws.status === 'RUNNING' || ws.status === 'UPDATING';
  const waiting = async (conditions: typeof ws.conditions, progress: number, message: string) => {
    await setStatus(db, wsId, { conditions: withReadySummary(conditions) });
    await progressTask(db, wsId, { status: 'running', progress, message });
    return new Requeue(message);
  };

  if (ws.status === 'PENDING_CREATION')
    await setStatus(db, wsId, { status: 'PROVISIONING', statusMessage: null });
  if (!serving)
    await progressTask(db, wsId, {
      status: 'running',
      progress: 20,
      message: 'Preparing the host namespace',
    });
  await applyHostObjects(host, spec, deps.chart);
  let conditions = withCondition(ws.conditions, {
    type: CONDITION.host,
    status: 'True',
    reason: 'Applied',
    message: `Namespace hxb-${wsId} and the vcluster HelmRelease are applied`,
  });

  const release = await releaseState(host, wsId);
  if (release.phase === 'failed') {
    conditions = withCondition(conditions, {
      type: CONDITION.vcluster,
      status: 'False',
      reason: release.reason,
      message: release.message,
    });
    await setStatus(db, wsId, {
      status: 'ERROR',
      statusMessage: `The vCluster could not be installed: ${release.message}`,
      conditions: withReadySummary(conditions),
    });
    await progressTask(db, wsId, { status: 'failed', progress: 100, message: release.message });
    return 'error';
  }
  if (release.phase === 'installing') {
    conditions = withCondition(conditions, {
      type: CONDITION.vcluster,
      status: 'Unknown',
      reason: 'Installing',
      message: 'Waiting for the vCluster to become ready',
    });
    throw await waiting(conditions, 40, 'Installing the vCluster');
  }
  conditions = withCondition(conditions, {
    type: CONDITION.vcluster,
    status: 'True',
    reason: 'Ready',
    message: 'The vCluster is ready',
  });
  conditions = await reconcileDedicatedNodes(host, spec, conditions);

  const endpoint = await observedEndpoint(host, wsId, deps.chart);
  if (!endpoint) {
    conditions = withCondition(conditions, {
      type: CONDITION.endpoint,
      status: 'Unknown',
      reason: 'WaitingForAddress',
      message: `Waiting for the ${deps.chart.exposure.mode} address of the vCluster API server`,
    });
    throw await waiting(conditions, 60, 'Exposing the vCluster API server');
  }
  conditions = withCondition(conditions, {
    type: CONDITION.endpoint,
    status: 'True',
    reason: 'Exposed',
    message: `The API server is reachable at ${endpoint}`,
  });
  if (!serving) {
    await setStatus(db, wsId, { status: 'CONFIGURING', conditions: withReadySummary(conditions) });
    await progressTask(db, wsId, {
      status: 'running',
      progress: 70,
      message: 'Configuring RBAC and projects',
    });
  }

  conditions = await syncInsideVCluster(db, wsId, release.kubeconfig, conditions);
  // What users' kubeconfigs need (never the admin credential): the public endpoint and the CA that signs it.
  const { ca } = credentialsFromKubeconfig(release.kubeconfig);
  await setStatus(db, wsId, {
    status: 'RUNNING',
    statusMessage: null,
    conditions: withReadySummary(conditions),
    observedGeneration: ws.generation,
    endpoint,
    endpointCa: ca ?? null,
  });
  await progressTask(db, wsId, { status: 'succeeded', progress: 100, message: 'Workspace is running' });
  return 'running';
}

/** The periodic safety net: every workspace, one at a time; a failure in one does not stop the others. */
export async function reconcileAll(
  deps: ProvisionerDeps,
): Promise<Record<string, Outcome | 'requeue' | 'failed'>> {
  const out: Record<string, Outcome | 'requeue' | 'failed'> = {};
  for (const { id } of await deps.db.select({ id: workspaces.id }).from(workspaces)) {
    try {
      out[id] = await reconcileWorkspace(deps, id);
    } catch (err) {
      out[id] = err instanceof Requeue ? 'requeue' : 'failed';
      if (!(err instanceof Requeue))
        deps.log.warn({ workspaceId: id, err: (err as Error).message }, 'reconcile failed');
    }
  }
  if (deps.host)
    await releaseOrphanedClaims(deps.db, deps.host, deps.log).catch((err) =>
      deps.log.warn({ err: (err as Error).message }, 'releasing orphaned node claims failed'),
    );
  return out;
}
