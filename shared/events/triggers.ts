import { type CatalogEvent, EVENTS, TICKS } from './catalog';

/** What the provisioner reconciles on: anything that changes a workspace's desired state, and the tick. */
export const PROVISIONER_EVENTS = [
  EVENTS.workspaceCreated,
  EVENTS.workspaceUpdated,
  EVENTS.workspaceDeleted,
  EVENTS.workspaceReconcileRequested,
  EVENTS.projectCreated,
  EVENTS.projectDeleted,
  EVENTS.rbacChanged,
  EVENTS.workspaceSuspended,
  EVENTS.workspaceResumed,
  ...TICKS,
] as const;

/** What the billing worker acts on: workspace lifecycle (subscription items), Stripe's events, the grace period. */
export const BILLING_EVENTS = [
  EVENTS.workspaceCreated,
  EVENTS.workspaceUpdated,
  EVENTS.workspaceDeleted,
  EVENTS.stripeEventReceived,
  ...TICKS,
] as const;

/** What the usage sampler acts on: its own tick (fan-out) and the per-workspace requests it fans out. */
export const USAGE_EVENTS = [EVENTS.usageTick, EVENTS.usageSampleRequested] as const;

/**
 * Which worker function receives which event types: the Knative Triggers and the local dispatcher are both
 * generated from this table. `path` is the function's CloudEvents endpoint.
 */
export type TriggerSpec = { name: string; function: string; path: string; types: string[] };

const typesOf = (...events: CatalogEvent[]) => events.map((e) => e.type);

export const triggerTable: TriggerSpec[] = [
  {
    name: 'provisioner',
    function: 'provisioner',
    path: '/events',
    types: typesOf(...PROVISIONER_EVENTS),
  },
  {
    name: 'notifications-email',
    function: 'notifications',
    path: '/events',
    types: typesOf(EVENTS.emailRequested),
  },
  { name: 'billing', function: 'billing-worker', path: '/events', types: typesOf(...BILLING_EVENTS) },
  { name: 'usage-sampler', function: 'usage-sampler', path: '/events', types: typesOf(...USAGE_EVENTS) },
  { name: 'key-rotation', function: 'key-rotation', path: '/events', types: typesOf(...TICKS) },
];

export type DeliveryPolicy = { maxAttempts: number; backoffMs: number; timeoutMs: number };

/** The same numbers go into the Knative Triggers' delivery spec. */
export const DEFAULT_DELIVERY: DeliveryPolicy = { maxAttempts: 6, backoffMs: 500, timeoutMs: 10_000 };
