import { and, eq, inArray, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { type Condition, projects, tasks, workspaces } from '../db/schema';

type Status = (typeof workspaces.$inferSelect)['status'];

/** Sets a condition, keeping lastTransitionTime when the status did not change (Kubernetes semantics). */
export function withCondition(list: Condition[], c: Omit<Condition, 'lastTransitionTime'>): Condition[] {
  const prev = list.find((x) => x.type === c.type);
  const next: Condition = {
    ...c,
    lastTransitionTime: prev && prev.status === c.status ? prev.lastTransitionTime : new Date().toISOString(),
  };
  return [...list.filter((x) => x.type !== c.type), next];
}

export async function setStatus(
  db: Db,
  wsId: string,
  patch: {
    status?: Status;
    statusMessage?: string | null;
    conditions?: Condition[];
    observedGeneration?: number;
    endpoint?: string | null;
    endpointCa?: string | null;
  },
) {
  await db
    .update(workspaces)
    .set({ ...patch, updatedAt: new Date() })
    .where(eq(workspaces.id, wsId));
}

/** Progress of the workspace's open tasks (those not finished yet). */
export async function progressTask(
  db: Db,
  wsId: string,
  patch: { status: 'running' | 'succeeded' | 'failed'; progress: number; message: string },
) {
  await db
    .update(tasks)
    .set({ ...patch, updatedAt: new Date() })
    .where(and(eq(tasks.resourceId, wsId), inArray(tasks.status, ['pending', 'running'])));
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
      : { type: CONDITION.ready, status: 'True', reason: 'Ready', message: 'The workspace is ready' },
  );
}

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
