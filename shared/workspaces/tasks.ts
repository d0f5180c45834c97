import { and, asc, eq } from 'drizzle-orm';
import { audit } from '../audit';
import { cachedOrgRole } from '../authz';
import type { Db } from '../db';
import { tasks } from '../db/schema';
import { NotFoundError } from '../errors';
import { EVENTS } from '../events/catalog';
import { enqueue } from '../events/outbox';
import { newId } from '../ids';
import { type Actor, auditMeta } from '../orgs/context';
import type { WorkspacesContext } from './context';

/** The three lifecycle changes the provisioner carries out, each followed through its task. */
const LIFECYCLE = {
  create: {
    task: 'workspace.create',
    action: 'workspace.created',
    event: EVENTS.workspaceCreated.type,
    status: 'PENDING_CREATION',
  },
  update: {
    task: 'workspace.update',
    action: 'workspace.plan_changed',
    event: EVENTS.workspaceUpdated.type,
    status: 'UPDATING',
  },
  delete: {
    task: 'workspace.delete',
    action: 'workspace.deletion_requested',
    event: EVENTS.workspaceDeleted.type,
    status: 'DELETING',
  },
} as const;
type Lifecycle = typeof LIFECYCLE;

/** What a lifecycle request answers (202): the task to follow. */
export type Accepted<K extends keyof Lifecycle> = {
  taskId: string;
  workspaceId: string;
  name: string;
  status: Lifecycle[K]['status'];
};

/**
 * In the transaction that makes the change, so none of them exists without it: the task, the audit row and the
 * event the provisioner acts on.
 */
export async function startLifecycleTask<K extends keyof Lifecycle>(
  tx: Db,
  actor: Actor,
  kind: K,
  ws: { orgId: string; wsId: string; name: string; data?: Record<string, unknown> },
): Promise<Accepted<K>> {
  const { task, action, event, status } = LIFECYCLE[kind];
  const taskId = newId('task');
  await tx.insert(tasks).values({
    id: taskId,
    type: task,
    organizationId: ws.orgId,
    resourceId: ws.wsId,
    createdBy: actor.userId,
  });
  await audit(tx, {
    ...auditMeta(actor),
    action,
    organizationId: ws.orgId,
    workspaceId: ws.wsId,
    targetType: 'workspace',
    targetId: ws.wsId,
    data: ws.data,
  });
  await enqueue(tx, {
    type: event,
    source: 'workspaces',
    subject: ws.wsId,
    data: { workspaceId: ws.wsId, organizationId: ws.orgId, taskId },
  });
  return { taskId, workspaceId: ws.wsId, name: ws.name, status };
}

/** The first task of this kind for the workspace, if any: repeating a request answers with it. */
export async function firstLifecycleTask<K extends keyof Lifecycle>(
  tx: Db,
  kind: K,
  ws: { wsId: string; name: string },
): Promise<Accepted<K> | undefined> {
  const [t] = await tx
    .select({ id: tasks.id })
    .from(tasks)
    .where(and(eq(tasks.resourceId, ws.wsId), eq(tasks.type, LIFECYCLE[kind].task)))
    .orderBy(asc(tasks.createdAt))
    .limit(1);
  return t && { taskId: t.id, workspaceId: ws.wsId, name: ws.name, status: LIFECYCLE[kind].status };
}

export type TaskView = {
  id: string;
  type: string;
  status: string;
  progress: number;
  message: string | null;
  createdAt: string;
  updatedAt: string;
};

/** Visible to whoever started it and to admins of its organization; to everyone else it does not exist. */
export async function getTask(
  ctx: Pick<WorkspacesContext, 'db' | 'authz'>,
  actor: Actor,
  input: { taskId: string },
): Promise<TaskView> {
  const [t] = await ctx.db.select().from(tasks).where(eq(tasks.id, input.taskId));
  const visible =
    t &&
    (t.createdBy === actor.userId ||
      (t.organizationId && (await cachedOrgRole(ctx.authz, t.organizationId, actor.userId)) === 'admin'));
  if (!t || !visible) throw new NotFoundError('No such task.', 'TASK_NOT_FOUND');
  return {
    id: t.id,
    type: t.type,
    status: t.status,
    progress: t.progress,
    message: t.message,
    createdAt: t.createdAt.toISOString(),
    updatedAt: t.updatedAt.toISOString(),
  };
}
