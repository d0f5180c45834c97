import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { type Condition, tasks, workspaces } from '../db/schema';

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
