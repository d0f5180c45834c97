import { Registry } from 'prom-client';
import { DependencyUnavailableError } from '../../shared/errors';
import { EVENTS } from '../../shared/events/catalog';
import { cloudEventHandler } from '../../shared/events/receive';
import { PROVISIONER_EVENTS } from '../../shared/events/triggers';
import { type AppOptions, createApp } from '../../shared/http/app';
import { registerProvisionerMetrics } from '../../shared/observability/provisioning';
import { Requeue, reconcileWorkspace, TerminalError } from '../../shared/provisioner/reconcile';
import { reconcileAll, reconcileIfChanged } from '../../shared/provisioner/tick';
import type { ProvisionerDeps } from './deps';

export const operations = [];

/**
 * The provisioner worker: an event names a workspace, the reconcile reads everything else from the database.
 * "Not ready yet" (Requeue) answers 503 so that the dispatcher retries with backoff, as does any unknown failure;
 * a TerminalError has already been recorded as ERROR and answers 200, so nothing retries it until the workspace
 * changes. The tick fans out one reconcile request per workspace, which may skip a settled, unchanged one
 * (shared/provisioner/tick.ts); events that name a change always get the full pass.
 */
export function createProvisionerApp(provisioner: ProvisionerDeps, app: AppOptions) {
  // The process's registry when served; else one of the app's own, for its request metrics too (as createApp does).
  const registry = app.registry ?? new Registry();
  const deps = {
    ...provisioner,
    metrics: provisioner.metrics ?? registerProvisionerMetrics(registry, provisioner.db),
  };
  const a = createApp({
    ...app,
    registry,
    name: 'provisioner',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post(
    '/events',
    cloudEventHandler({
      db: deps.db,
      consumer: 'provisioner',
      once: false,
      accepts: PROVISIONER_EVENTS,
      handle: async (_db, event) => {
        if (event.type === EVENTS.reconcileTick.type || event.type === EVENTS.knativePing.type)
          return void (await reconcileAll(deps));
        const fromTick = event.type === EVENTS.workspaceReconcileRequested.type;
        try {
          if (fromTick) await reconcileIfChanged(deps, event.data.workspaceId, deps.resyncSeconds);
          else await reconcileWorkspace(deps, event.data.workspaceId);
        } catch (err) {
          // The next tick asks again: retrying its request as well would only dead-letter a slow install.
          if (err instanceof Requeue && fromTick) return;
          if (err instanceof Requeue)
            throw new DependencyUnavailableError(`Not converged yet: ${err.message}`);
          if (err instanceof TerminalError) return; // recorded on the row; retrying cannot help
          throw err;
        }
      },
    }),
  );
  return a;
}
