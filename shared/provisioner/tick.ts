import { eq } from 'drizzle-orm';
import { workspaces } from '../db/schema';
import { EVENTS } from '../events/catalog';
import { enqueueEach } from '../events/outbox';
import { releaseOrphanedClaims } from './dedicated';
import { desiredWorkspace } from './desired';
import { type Outcome, type ProvisionerDeps, reconcileWorkspace } from './reconcile';
import { isReady, isSuspended } from './status';

/**
 * The periodic safety net: one `workspace.reconcile.requested` event per workspace, so that each converges in a
 * delivery of its own (its own timeout, retries and concurrency) and a slow workspace holds up no other; then the
 * sweep of orphaned node claims, which belong to no workspace.
 */
export async function reconcileAll(
  deps: Pick<ProvisionerDeps, 'db' | 'host' | 'log'>,
): Promise<{ requested: number; releasedClaims: number }> {
  const ids = (await deps.db.select({ id: workspaces.id }).from(workspaces)).map((w) => w.id);
  await enqueueEach(deps.db, ids, (id) => ({
    type: EVENTS.workspaceReconcileRequested.type,
    source: 'provisioner',
    subject: id,
    data: { workspaceId: id },
  }));
  const releasedClaims = deps.host
    ? await releaseOrphanedClaims(deps.db, deps.host, deps.log).catch((err) => {
        deps.log.warn({ err: (err as Error).message }, 'releasing orphaned node claims failed');
        return 0;
      })
    : 0;
  return { requested: ids.length, releasedClaims };
}

type Workspace = typeof workspaces.$inferSelect;

/**
 * Whether the last verdict still stands without asking the cluster: RUNNING and Ready for the current generation,
 * SUSPENDED (scaled to zero) for the current generation, or a terminal ERROR, recorded less than the resync period
 * ago. Anything converging, failing transiently or being deleted is never settled.
 */
function settled(ws: Workspace, resyncSeconds: number, now: number): boolean {
  if (ws.deletionRequestedAt || !ws.reconciledHash || !ws.reconciledAt) return false;
  if (now - ws.reconciledAt.getTime() >= resyncSeconds * 1000) return false;
  if (ws.status === 'ERROR') return true;
  if (ws.status === 'SUSPENDED') return ws.observedGeneration === ws.generation && isSuspended(ws.conditions);
  return ws.status === 'RUNNING' && ws.observedGeneration === ws.generation && isReady(ws.conditions);
}

/**
 * The tick's per-workspace reconcile: skipped, with database reads only, while the verdict is settled and the
 * desired state hashes the same as when it was recorded; otherwise (or once the resync period has passed, to
 * repair drift made on the cluster behind our back) the full pass. Events that name a change never come here.
 */
export async function reconcileIfChanged(
  deps: ProvisionerDeps,
  wsId: string,
  resyncSeconds: number,
  now = Date.now(),
): Promise<Outcome | 'skipped'> {
  const [ws] = await deps.db.select().from(workspaces).where(eq(workspaces.id, wsId));
  if (!ws) return 'gone';
  if (deps.host && settled(ws, resyncSeconds, now)) {
    const desired = await desiredWorkspace(deps.db, ws, deps.chart).catch(() => undefined);
    if (desired?.fingerprint === ws.reconciledHash) return 'skipped';
  }
  return reconcileWorkspace(deps, wsId);
}
