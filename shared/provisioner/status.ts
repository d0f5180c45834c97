import { and, eq, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { type Condition, projects } from '../db/schema';

/** Sets a condition, keeping lastTransitionTime when the status did not change (Kubernetes semantics). */
export function withCondition(list: Condition[], c: Omit<Condition, 'lastTransitionTime'>): Condition[] {
  const prev = list.find((x) => x.type === c.type);
  const next: Condition = {
    ...c,
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : new Date().toISOString(),
  };
  return [...list.filter((x) => x.type !== c.type), next];
}

/** Condition types a workspace carries; `Ready` summarises the others. */
export const CONDITION = {
  host: 'HostNamespaceReady',
  vcluster: 'VClusterReady',
  nodes: 'DedicatedNodesReady',
  endpoint: 'EndpointReady',
  rbac: 'RBACSynced',
  projects: 'ProjectsSynced',
  ready: 'Ready',
} as const;

/**
 * Every reason the provisioner writes into a condition or an error: clients may branch on them, so they are
 * constants and never change meaning. The Kubernetes API's own reasons (`Forbidden`, `Invalid`, …) pass through
 * for failures inside a vCluster.
 */
export const REASON = {
  applied: 'Applied',
  ready: 'Ready',
  installing: 'Installing',
  claimed: 'Claimed',
  notEnoughNodes: 'NotEnoughNodes',
  exposed: 'Exposed',
  waitingForAddress: 'WaitingForAddress',
  projectFailed: 'ProjectFailed',
  deleting: 'Deleting',
  /** Billing suspended the workspace: its vCluster is scaled to zero, its data kept. */
  suspended: 'Suspended',
  /** Requeue's default: still converging, nothing wrong. */
  progressing: 'Progressing',
  /** Terminal: Flux reported the release failed for its current generation. */
  releaseFailed: 'ReleaseFailed',
  /** Terminal: the workspace names a plan that does not exist. */
  planNotFound: 'PlanNotFound',
  /** Terminal: the host API refused a request (a 4xx other than a conflict or throttling). */
  hostRejected: 'HostAPIRejected',
  /** Transient: an API server could not be reached or did not answer in time. */
  unreachable: 'Unreachable',
  /** Transient: an API server answered with a server error. */
  serverError: 'APIServerError',
  /** Transient: anything else that went wrong. */
  failed: 'ReconcileFailed',
} as const;

/**
 * Ready is True when every other condition is; otherwise it carries the first one that is not, so a client reading
 * only Ready still learns why.
 */
export function withReadySummary(list: Condition[]): Condition[] {
  const order = Object.values(CONDITION).filter((t) => t !== CONDITION.ready);
  const others = list
    .filter((c) => c.type !== CONDITION.ready)
    .sort((a, b) => order.indexOf(a.type as never) - order.indexOf(b.type as never));
  const blocking = others.find((c) => c.status !== 'True');
  return withCondition(
    list,
    blocking
      ? { type: CONDITION.ready, status: blocking.status, reason: blocking.reason, message: blocking.message }
      : { type: CONDITION.ready, status: 'True', reason: REASON.ready, message: 'The workspace is ready' },
  );
}

export const isReady = (list: Condition[]) =>
  list.some((c) => c.type === CONDITION.ready && c.status === 'True');

/** The last pass reached the suspended verdict (a failure before it would have given Ready its own reason). */
export const isSuspended = (list: Condition[]) =>
  list.some((c) => c.type === CONDITION.ready && c.status === 'False' && c.reason === REASON.suspended);

/** Project statuses after a sync: written only where they changed, so a steady workspace costs no writes. */
export async function setProjectStatuses(
  db: Db,
  results: { id: string; status: 'ACTIVE' | 'ERROR'; message: string | null }[],
) {
  for (const r of results) {
    await db
      .update(projects)
      .set({ status: r.status, statusMessage: r.message, updatedAt: new Date() })
      .where(
        and(
          eq(projects.id, r.id),
          or(ne(projects.status, r.status), sql`${projects.statusMessage} is distinct from ${r.message}`),
        ),
      );
  }
}
