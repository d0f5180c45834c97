import * as z from 'zod';

/**
 * Every CloudEvent type Hexabase emits or accepts, with the schema of its `data`. Producers enqueue only these
 * (the outbox's types come from here), workers validate what they receive with the same schema, and the trigger
 * table routes them by these names. A type that is produced but routed to no worker says who it is for in
 * `outside`, or catalog.test.ts fails.
 */
export type EventDefinition = {
  type: string;
  data: z.ZodType;
  /** CloudEvents `source` suffixes (`/hexabase/{producer}`) that may emit it; none for types only received. */
  producers: readonly string[];
  /** For types no Hexabase worker consumes: who subscribes to them instead. */
  outside?: string;
};

const id = z.string().min(1);

/** Ids only, never secrets: handlers reload state from the database. */
const WorkspaceTask = z.object({ workspaceId: id, organizationId: id, taskId: id });

const WorkspaceRef = z.object({ workspaceId: id, organizationId: id });

/** A change the workspace's vCluster must reflect: the workspace plus the id of what changed (`groupId`, …). */
const WorkspaceChange = z.object({ workspaceId: id }).catchall(z.string());

/** Tick payloads differ (the scheduler's `{at}`, PingSource's configured data) and carry nothing a worker needs. */
const Tick = z.unknown();

export const EVENTS = {
  workspaceCreated: {
    type: 'ai.hexabase.workspace.created',
    data: WorkspaceTask,
    producers: ['workspaces'],
  },
  workspaceUpdated: {
    type: 'ai.hexabase.workspace.updated',
    data: WorkspaceTask,
    producers: ['workspaces'],
  },
  workspaceDeleted: {
    type: 'ai.hexabase.workspace.deleted',
    data: WorkspaceTask,
    producers: ['workspaces'],
  },
  /** One per workspace from the reconcile tick, so each workspace converges in its own delivery. */
  workspaceReconcileRequested: {
    type: 'ai.hexabase.workspace.reconcile.requested',
    data: z.object({ workspaceId: id }),
    producers: ['provisioner'],
  },
  projectCreated: {
    type: 'ai.hexabase.project.created',
    data: WorkspaceChange,
    producers: ['workspaces'],
  },
  projectDeleted: {
    type: 'ai.hexabase.project.deleted',
    data: WorkspaceChange,
    producers: ['workspaces'],
  },
  rbacChanged: {
    type: 'ai.hexabase.rbac.changed',
    data: WorkspaceChange,
    producers: ['workspaces', 'organizations'],
  },
  /** Billing suspended a workspace for non-payment (the provisioner scales its vCluster to zero) or resumed it. */
  workspaceSuspended: {
    type: 'ai.hexabase.workspace.suspended',
    data: WorkspaceRef,
    producers: ['billing-worker'],
  },
  workspaceResumed: {
    type: 'ai.hexabase.workspace.resumed',
    data: WorkspaceRef,
    producers: ['billing-worker'],
  },
  /** A verified Stripe webhook, stored by its id in stripe_events; the billing worker reads the rest from Stripe. */
  stripeEventReceived: {
    type: 'ai.hexabase.stripe.event.received',
    data: z.object({ stripeEventId: id, type: id }),
    producers: ['stripe-webhooks'],
  },
  emailRequested: {
    type: 'ai.hexabase.notification.email.requested',
    data: z.discriminatedUnion('template', [
      z.object({ template: z.literal('organization-invitation'), invitationId: id, organizationId: id }),
      /** To the organization's admins: these paid workspaces were suspended for non-payment. */
      z.object({
        template: z.literal('workspaces-suspended'),
        organizationId: id,
        workspaceIds: z.array(id).min(1),
      }),
    ]),
    producers: ['organizations', 'billing-worker'],
  },
  /** Every HEXABASE_USAGE_INTERVAL_SECONDS from the scheduler: the usage sampler fans out one request per workspace. */
  usageTick: { type: 'ai.hexabase.usage.tick', data: Tick, producers: ['scheduler'] },
  /** One per running workspace and usage tick: each workspace is sampled in a delivery of its own. */
  usageSampleRequested: {
    type: 'ai.hexabase.usage.sample.requested',
    data: z.object({ workspaceId: id }),
    producers: ['usage-sampler'],
  },
  reconcileTick: { type: 'ai.hexabase.reconcile.tick', data: Tick, producers: ['scheduler'] },
  /** Knative PingSource's fixed type: the tick in a cluster (knative/eventing.yaml). */
  knativePing: { type: 'dev.knative.sources.ping', data: Tick, producers: [] },
} as const satisfies Record<string, EventDefinition>;

export type CatalogEvent = (typeof EVENTS)[keyof typeof EVENTS];
export type EventType = CatalogEvent['type'];
export type EventOf<T extends EventType> = Extract<CatalogEvent, { type: T }>;
export type EventData<T extends EventType> = z.infer<EventOf<T>['data']>;

/** Both forms of the periodic tick; reconcile workers accept either. */
export const TICKS = [EVENTS.reconcileTick, EVENTS.knativePing] as const;
