/**
 * Which worker function receives which event types: the Knative Triggers and the local dispatcher are both
 * generated from this table. `path` is the function's CloudEvents endpoint.
 */
export type TriggerSpec = { name: string; function: string; path: string; types: string[] };

/** The periodic tick: the local scheduler's type, and Knative PingSource's fixed one (knative/eventing.yaml). */
export const RECONCILE_TICK_TYPES = ['ai.hexabase.reconcile.tick', 'dev.knative.sources.ping'];

export const triggerTable: TriggerSpec[] = [
  {
    name: 'provisioner',
    function: 'provisioner',
    path: '/events',
    types: [
      'ai.hexabase.workspace.created',
      'ai.hexabase.workspace.updated',
      'ai.hexabase.workspace.deleted',
      'ai.hexabase.project.created',
      'ai.hexabase.project.deleted',
      'ai.hexabase.rbac.changed',
      'ai.hexabase.reconcile.tick',
      'dev.knative.sources.ping',
    ],
  },
  {
    name: 'notifications-email',
    function: 'notifications',
    path: '/events',
    types: ['ai.hexabase.notification.email.requested'],
  },
  { name: 'key-rotation', function: 'key-rotation', path: '/events', types: RECONCILE_TICK_TYPES },
];

export type DeliveryPolicy = { maxAttempts: number; backoffMs: number; timeoutMs: number };

/** The same numbers go into the Knative Triggers' delivery spec. */
export const DEFAULT_DELIVERY: DeliveryPolicy = { maxAttempts: 6, backoffMs: 500, timeoutMs: 10_000 };
