import * as z from 'zod';
import { DependencyUnavailableError } from '../../shared/errors';
import { cloudEventHandler } from '../../shared/events/receive';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import {
  type ProvisionerDeps,
  Requeue,
  reconcileAll,
  reconcileWorkspace,
} from '../../shared/provisioner/reconcile';

export const operations = [];

export const WORKSPACE_EVENTS = [
  'ai.hexabase.workspace.created',
  'ai.hexabase.workspace.updated',
  'ai.hexabase.workspace.deleted',
  'ai.hexabase.project.created',
  'ai.hexabase.project.deleted',
  'ai.hexabase.rbac.changed',
];
/** The local scheduler's tick, and Knative PingSource's fixed type. */
export const TICK_EVENTS = ['ai.hexabase.reconcile.tick', 'dev.knative.sources.ping'];

/**
 * The provisioner worker: an event names a workspace, the reconcile reads everything else from the database.
 * "Not ready yet" answers 503 so that the dispatcher retries with backoff; the tick covers anything missed.
 */
export function createProvisionerApp(deps: ProvisionerDeps, app: Omit<CreateAppOptions, 'name'>) {
  const a = createApp({
    ...app,
    name: 'provisioner',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post(
    '/events',
    cloudEventHandler({
      db: deps.db,
      consumer: 'provisioner',
      once: false,
      types: [...WORKSPACE_EVENTS, ...TICK_EVENTS],
      schema: z
        .object({ workspaceId: z.string().optional() })
        .passthrough()
        .nullable()
        .transform((d) => d ?? {}),
      handle: async (_db, event) => {
        if (TICK_EVENTS.includes(event.type)) return void (await reconcileAll(deps));
        if (!event.data.workspaceId) return;
        try {
          await reconcileWorkspace(deps, event.data.workspaceId);
        } catch (err) {
          if (err instanceof Requeue)
            throw new DependencyUnavailableError(`Not converged yet: ${err.message}`);
          throw err;
        }
      },
    }),
  );
  return a;
}
