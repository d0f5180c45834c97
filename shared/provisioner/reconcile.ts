import { eq } from 'drizzle-orm';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import { workspaces } from '../db/schema';
import type { ChartOptions } from '../k8s/host-objects';
import { credentialsFromKubeconfig, type Kube } from '../k8s/rest';
import type { Logger } from '../log';
import { reconcileDedicatedNodes } from './dedicated';
import { deleteWorkspaceResources } from './deletion';
import { desiredWorkspace } from './desired';
import { Requeue, TerminalError } from './errors';
import { syncInsideVCluster } from './inside';
import { applyHostObjects, hostObjectsApplied, observedEndpoint, releaseState } from './release';
import { CONDITION, REASON } from './status';
import { SUSPENDED_MESSAGE, scaleToZero } from './suspension';
import { StatusWriter } from './writer';

export { Requeue, TerminalError } from './errors';

export type ProvisionerDeps = {
  db: Db;
  /** A deleted workspace's cached authorization goes with its row (shared/authz). */
  authzCache: VersionedCache;
  host: Kube | undefined;
  chart: ChartOptions;
  log: Logger;
  /** Where passes report how they went (shared/observability/provisioning.ts); none in most tests. */
  metrics?: ProvisionerMetrics;
};

export type Outcome = 'gone' | 'running' | 'suspended' | 'error' | 'no-host';

/** How a pass ended: an Outcome, still converging (`requeue`), or an error to retry (`failed`). */
export type PassOutcome = Outcome | 'requeue' | 'failed';

export type ProvisionerMetrics = {
  reconciled: (outcome: PassOutcome, seconds: number) => void;
  /** Once per workspace: its first RUNNING or terminal ERROR, `seconds` after it was created. */
  provisioned: (outcome: 'running' | 'error', seconds: number) => void;
};

type Workspace = typeof workspaces.$inferSelect;

const HOST = { host: true };

/**
 * Level-triggered reconcile of one workspace, controller-style: read the rows, move the world one step toward
 * them, and ask to be called again (Requeue) while something is still converging. Everything the pass learns goes
 * through one StatusWriter, flushed once when the pass ends however it ends. A TerminalError ends the pass as
 * ERROR and is answered, not thrown: retrying would not help.
 *
 * A workspace that is serving (RUNNING, or UPDATING in place) keeps that status through every pass: sync progress
 * shows in the conditions, never as a lifecycle status, so its kubeconfig stays available throughout. A workspace
 * billing suspended is scaled to zero and settles as SUSPENDED; a deletion request wins over the suspension.
 */
export async function reconcileWorkspace(deps: ProvisionerDeps, wsId: string): Promise<Outcome> {
  const started = performance.now();
  let outcome: PassOutcome = 'failed';
  try {
    outcome = await reconcileOnce(deps, wsId);
    return outcome;
  } catch (err) {
    if (err instanceof Requeue) outcome = 'requeue';
    throw err;
  } finally {
    deps.metrics?.reconciled(outcome, (performance.now() - started) / 1000);
  }
}

async function reconcileOnce(deps: ProvisionerDeps, wsId: string): Promise<Outcome> {
  const [ws] = await deps.db.select().from(workspaces).where(eq(workspaces.id, wsId));
  if (!ws) return 'gone';
  const status = new StatusWriter(deps.db, ws);
  try {
    return await pass(deps, ws, status);
  } catch (err) {
    if (!(err instanceof TerminalError)) throw err;
    deps.log.warn({ workspaceId: wsId, reason: err.reason, err: err.message }, 'reconcile stopped: terminal');
    status.fail(err);
    return 'error';
  } finally {
    const first = await status.flush();
    if (first) deps.metrics?.provisioned(first.outcome, first.seconds);
  }
}

/** The steps, in order; each one reports to `status` and none of them writes the workspace row itself. */
async function pass(deps: ProvisionerDeps, ws: Workspace, status: StatusWriter): Promise<Outcome> {
  const { db, host, chart } = deps;
  if (!host) {
    status.set({
      statusMessage: 'No host cluster is configured (set KUBECONFIG); the workspace waits to be provisioned.',
    });
    return 'no-host';
  }
  if (ws.deletionRequestedAt) {
    await deleteWorkspaceResources(deps, host, ws.id, status);
    return 'gone';
  }

  const desired = await status.step(CONDITION.host, () => desiredWorkspace(db, ws, chart));
  status.observe(desired.fingerprint);
  if (desired.spec.suspended) {
    // Its API server is going away: nothing waits for it or syncs inside it, and dedicated nodes stay claimed.
    await scaleToZero(host, desired.spec, chart, status);
    status.suspended({ observedGeneration: ws.generation }, SUSPENDED_MESSAGE);
    return 'suspended';
  }
  const serving = ws.status === 'RUNNING' || ws.status === 'UPDATING';
  if (ws.status === 'PENDING_CREATION') status.set({ status: 'PROVISIONING', statusMessage: null });
  if (!serving) status.task('running', 20, 'Preparing the host namespace');

  await status.step(CONDITION.host, () => applyHostObjects(host, desired.spec, chart), HOST);
  status.condition(hostObjectsApplied(ws.id));

  const release = await status.step(
    CONDITION.vcluster,
    async () => {
      const r = await releaseState(host, ws.id);
      if (r.phase !== 'failed') return r;
      // Flux's own reason (InstallFailed, UpgradeFailed, …) stays in the message; ours is the stable one.
      throw new TerminalError(
        REASON.releaseFailed,
        `The vCluster could not be installed: ${r.message} (${r.reason})`,
      );
    },
    HOST,
  );
  if (release.phase === 'installing') {
    status.condition({
      type: CONDITION.vcluster,
      status: 'Unknown',
      reason: REASON.installing,
      message: 'Waiting for the vCluster to become ready',
    });
    throw status.waiting(40, 'Installing the vCluster', REASON.installing);
  }
  status.condition({
    type: CONDITION.vcluster,
    status: 'True',
    reason: REASON.ready,
    message: 'The vCluster is ready',
  });
  await status.step(CONDITION.nodes, () => reconcileDedicatedNodes(host, desired.spec, status), HOST);

  const endpoint = await status.step(CONDITION.endpoint, () => observedEndpoint(host, ws.id, chart), HOST);
  if (!endpoint) {
    status.condition({
      type: CONDITION.endpoint,
      status: 'Unknown',
      reason: REASON.waitingForAddress,
      message: `Waiting for the ${chart.exposure.mode} address of the vCluster API server`,
    });
    throw status.waiting(60, 'Exposing the vCluster API server', REASON.waitingForAddress);
  }
  status.condition({
    type: CONDITION.endpoint,
    status: 'True',
    reason: REASON.exposed,
    message: `The API server is reachable at ${endpoint}`,
  });
  if (!serving) {
    status.set({ status: 'CONFIGURING' });
    status.task('running', 70, 'Configuring RBAC and projects');
  }

  await syncInsideVCluster(db, release.kubeconfig, desired.inside, status);
  // What users' kubeconfigs need (never the admin credential): the public endpoint and the CA that signs it.
  const { ca } = credentialsFromKubeconfig(release.kubeconfig);
  // observedGeneration is the generation read at the start: a change made during the pass stays visibly stale.
  status.running({ observedGeneration: ws.generation, endpoint, endpointCa: ca ?? null });
  return 'running';
}
