import { and, asc, desc, eq, inArray, lt, or, type Placeholder, sql } from 'drizzle-orm';
import { audit } from '../audit';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { prepared } from '../db/prepared';
import {
  groupMemberships,
  groups,
  plans,
  roleAssignments,
  tasks,
  workspaceMembers,
  workspaces,
} from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { enqueue } from '../events/outbox';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../http/pagination';
import { newId } from '../ids';
import type { NodePool } from '../k8s/nodes';
import type { Actor } from '../orgs/context';
import { auditMeta } from '../orgs/context';
import { workspaceNotFound } from './access';
import { type DedicatedNodeConfig, reserveNodes } from './dedicated-nodes';
import { DEFAULT_GROUPS } from './presets';

export type { DedicatedNodeConfig };

export type WorkspaceView = {
  id: string;
  name: string;
  organizationId: string;
  planId: string;
  status: string;
  statusMessage: string | null;
  conditions: unknown[];
  endpoint: string | null;
  dedicatedNodeConfig: DedicatedNodeConfig | null;
  createdAt: string;
};

const view = (w: typeof workspaces.$inferSelect): WorkspaceView => ({
  id: w.id,
  name: w.name,
  organizationId: w.organizationId,
  planId: w.planId,
  status: w.status,
  statusMessage: w.statusMessage,
  conditions: w.conditions,
  endpoint: w.endpoint,
  dedicatedNodeConfig: (w.dedicatedNodeConfig as DedicatedNodeConfig | null) ?? null,
  createdAt: w.createdAt.toISOString(),
});

async function checkPlan(tx: Db, planId: string, dedicated: DedicatedNodeConfig | undefined | null) {
  const [plan] = await tx
    .select()
    .from(plans)
    .where(and(eq(plans.id, planId), eq(plans.active, true)));
  if (!plan) throw new RuleViolationError(`There is no plan "${planId}".`, 'UNKNOWN_PLAN');
  if (dedicated && !plan.allowsDedicatedNodes) {
    throw new RuleViolationError(
      `The ${plan.name} plan does not offer dedicated nodes.`,
      'DEDICATED_NODES_NOT_ALLOWED',
    );
  }
  return plan;
}

/** Lifecycle changes lock the row: a plan change and a deletion cannot interleave. */
async function lockWorkspaceRow(tx: Db, orgId: string, wsId: string) {
  const [w] = await tx
    .select()
    .from(workspaces)
    .where(and(eq(workspaces.id, wsId), eq(workspaces.organizationId, orgId)))
    .for('update');
  if (!w) throw workspaceNotFound();
  return w;
}

async function createTask(tx: Db, type: string, orgId: string, resourceId: string, actor: Actor) {
  const id = newId('task');
  await tx.insert(tasks).values({ id, type, organizationId: orgId, resourceId, createdBy: actor.userId });
  return id;
}

/**
 * Creates a workspace and everything it starts with, in one transaction: the row (PENDING_CREATION), the creator as
 * member, the default groups WorkspaceMembers → WSAdmins, WSUsers, the creator in WSAdmins, the default cluster-role
 * assignments, the task, the audit row and the event the provisioner acts on.
 */
export async function createWorkspace(
  db: Db,
  actor: Actor,
  orgId: string,
  input: { name: string; planId: string; dedicatedNodeConfig?: DedicatedNodeConfig },
  nodes?: NodePool,
) {
  const claimed: string[] = [];
  let id = '';
  try {
    return await db.transaction(async (tx) => {
      await checkPlan(tx, input.planId, input.dedicatedNodeConfig);
      id = newId('ws');
      await tx.insert(workspaces).values({
        id,
        organizationId: orgId,
        name: input.name,
        planId: input.planId,
        dedicatedNodeConfig: input.dedicatedNodeConfig ?? null,
        createdBy: actor.userId,
      });
      await tx.insert(workspaceMembers).values({ workspaceId: id, userId: actor.userId });
      const [root, admins, users] = [newId('grp'), newId('grp'), newId('grp')];
      await tx
        .insert(groups)
        .values({ id: root, workspaceId: id, name: DEFAULT_GROUPS.root, isDefault: true });
      await tx.insert(groups).values([
        { id: admins, workspaceId: id, name: DEFAULT_GROUPS.admins, parentId: root, isDefault: true },
        { id: users, workspaceId: id, name: DEFAULT_GROUPS.users, parentId: root, isDefault: true },
      ]);
      await tx.insert(groupMemberships).values({ workspaceId: id, groupId: admins, userId: actor.userId });
      await tx.insert(roleAssignments).values([
        {
          id: newId('ra'),
          workspaceId: id,
          groupId: admins,
          scope: 'workspace',
          roleName: 'hexabase:workspace-admin',
        },
        {
          id: newId('ra'),
          workspaceId: id,
          groupId: users,
          scope: 'workspace',
          roleName: 'hexabase:workspace-viewer',
        },
      ]);
      const taskId = await createTask(tx, 'workspace.create', orgId, id, actor);
      await audit(tx, {
        ...auditMeta(actor),
        action: 'workspace.created',
        organizationId: orgId,
        workspaceId: id,
        targetType: 'workspace',
        targetId: id,
        data: { name: input.name, planId: input.planId },
      });
      await enqueue(tx, {
        type: 'ai.hexabase.workspace.created',
        source: 'workspaces',
        subject: id,
        data: { workspaceId: id, organizationId: orgId, taskId },
      });
      await reserveNodes(nodes, id, input.dedicatedNodeConfig, claimed);
      return { taskId, workspaceId: id, name: input.name, status: 'PENDING_CREATION' as const };
    });
  } catch (err) {
    await nodes?.release(id, claimed);
    if (isUniqueViolation(err))
      throw new ConflictError(`A workspace named "${input.name}" already exists.`, 'WORKSPACE_NAME_TAKEN');
    throw err;
  }
}

/** Org admins see every workspace of the organization; other members the ones they belong to. */
const visibleTo = (db: Db, orgId: string | Placeholder, userId: string | Placeholder, orgAdmin: boolean) =>
  and(
    eq(workspaces.organizationId, orgId),
    orgAdmin
      ? undefined
      : inArray(
          workspaces.id,
          db
            .select({ id: workspaceMembers.workspaceId })
            .from(workspaceMembers)
            .where(eq(workspaceMembers.userId, userId)),
        ),
  );

// The first page is what almost every call asks for: a prepared statement per visibility rule.
const firstPage = (db: Db, orgAdmin: boolean) => {
  const name = orgAdmin ? 'workspaces_first_page_admin' : 'workspaces_first_page_member';
  return prepared(db, name, (d) =>
    d
      .select()
      .from(workspaces)
      .where(visibleTo(d, sql.placeholder('orgId'), sql.placeholder('userId'), orgAdmin))
      .orderBy(desc(workspaces.createdAt), desc(workspaces.id))
      .limit(sql.placeholder('limit'))
      .prepare(name),
  );
};

/** Newest first; see visibleTo for who sees what. */
export async function listWorkspaces(
  db: Db,
  orgId: string,
  viewer: { userId: string; orgAdmin: boolean },
  page: PageInput,
): Promise<Page<WorkspaceView>> {
  const after = decodeCursor(page.cursor, TimeIdCursor);
  const rows = !after
    ? await firstPage(db, viewer.orgAdmin).execute({ orgId, userId: viewer.userId, limit: page.limit + 1 })
    : await db
        .select()
        .from(workspaces)
        .where(
          and(
            visibleTo(db, orgId, viewer.userId, viewer.orgAdmin),
            or(
              lt(workspaces.createdAt, new Date(after[0])),
              and(eq(workspaces.createdAt, new Date(after[0])), lt(workspaces.id, after[1])),
            ),
          ),
        )
        .orderBy(desc(workspaces.createdAt), desc(workspaces.id))
        .limit(page.limit + 1);
  return toPage(rows, page.limit, view, (r) => [r.createdAt.toISOString(), r.id]);
}

const workspaceById = (db: Db) =>
  prepared(db, 'workspace_by_id', (d) =>
    d
      .select()
      .from(workspaces)
      .where(
        and(
          eq(workspaces.id, sql.placeholder('wsId')),
          eq(workspaces.organizationId, sql.placeholder('orgId')),
        ),
      )
      .prepare('workspace_by_id'),
  );

export async function getWorkspace(db: Db, orgId: string, wsId: string): Promise<WorkspaceView> {
  const [w] = await workspaceById(db).execute({ wsId, orgId });
  if (!w) throw workspaceNotFound();
  return view(w);
}

/** Plan change: bumps the generation and asks the provisioner to update quotas, limits and placement in place. */
export async function changeWorkspacePlan(
  db: Db,
  actor: Actor,
  orgId: string,
  wsId: string,
  input: { planId?: string; dedicatedNodeConfig?: DedicatedNodeConfig | null },
  nodes?: NodePool,
) {
  const claimed: string[] = [];
  try {
    return await changePlanInTransaction(db, actor, orgId, wsId, input, nodes, claimed);
  } catch (err) {
    await nodes?.release(wsId, claimed);
    throw err;
  }
}

/** Fewer nodes than before are released by the provisioner, after the vCluster no longer schedules onto them. */
function changePlanInTransaction(
  db: Db,
  actor: Actor,
  orgId: string,
  wsId: string,
  input: { planId?: string; dedicatedNodeConfig?: DedicatedNodeConfig | null },
  nodes: NodePool | undefined,
  claimed: string[],
) {
  return db.transaction(async (tx) => {
    const w = await lockWorkspaceRow(tx, orgId, wsId);
    if (w.deletionRequestedAt)
      throw new ConflictError('The workspace is being deleted.', 'WORKSPACE_DELETING');
    const planId = input.planId ?? w.planId;
    const dedicated =
      input.dedicatedNodeConfig === undefined
        ? (w.dedicatedNodeConfig as DedicatedNodeConfig | null)
        : input.dedicatedNodeConfig;
    await checkPlan(tx, planId, dedicated);
    await tx
      .update(workspaces)
      .set({
        planId,
        dedicatedNodeConfig: dedicated,
        generation: w.generation + 1,
        status: 'UPDATING',
        updatedAt: new Date(),
      })
      .where(eq(workspaces.id, wsId));
    const taskId = await createTask(tx, 'workspace.update', orgId, wsId, actor);
    await audit(tx, {
      ...auditMeta(actor),
      action: 'workspace.plan_changed',
      organizationId: orgId,
      workspaceId: wsId,
      targetType: 'workspace',
      targetId: wsId,
      data: { from: w.planId, to: planId, dedicatedNodes: dedicated?.nodeCount ?? 0 },
    });
    await enqueue(tx, {
      type: 'ai.hexabase.workspace.updated',
      source: 'workspaces',
      subject: wsId,
      data: { workspaceId: wsId, organizationId: orgId, taskId },
    });
    await reserveNodes(nodes, wsId, dedicated, claimed);
    return { taskId, workspaceId: wsId, name: w.name, status: 'UPDATING' as const };
  });
}

/** Records the intent first (DELETING); the provisioner removes the vCluster and then the rows. */
export async function requestWorkspaceDeletion(db: Db, actor: Actor, orgId: string, wsId: string) {
  return db.transaction(async (tx) => {
    const w = await lockWorkspaceRow(tx, orgId, wsId);
    const [open] = await tx
      .select({ id: tasks.id })
      .from(tasks)
      .where(and(eq(tasks.resourceId, wsId), eq(tasks.type, 'workspace.delete')))
      .orderBy(asc(tasks.createdAt))
      .limit(1);
    if (w.deletionRequestedAt && open)
      return { taskId: open.id, workspaceId: wsId, name: w.name, status: 'DELETING' as const };
    await tx
      .update(workspaces)
      .set({ status: 'DELETING', deletionRequestedAt: new Date(), updatedAt: new Date() })
      .where(eq(workspaces.id, wsId));
    const taskId = await createTask(tx, 'workspace.delete', orgId, wsId, actor);
    await audit(tx, {
      ...auditMeta(actor),
      action: 'workspace.deletion_requested',
      organizationId: orgId,
      workspaceId: wsId,
      targetType: 'workspace',
      targetId: wsId,
    });
    await enqueue(tx, {
      type: 'ai.hexabase.workspace.deleted',
      source: 'workspaces',
      subject: wsId,
      data: { workspaceId: wsId, organizationId: orgId, taskId },
    });
    return { taskId, workspaceId: wsId, name: w.name, status: 'DELETING' as const };
  });
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
  db: Db,
  taskId: string,
  viewer: { userId: string; isOrgAdmin: (orgId: string) => Promise<boolean> },
): Promise<TaskView> {
  const [t] = await db.select().from(tasks).where(eq(tasks.id, taskId));
  const visible =
    t && (t.createdBy === viewer.userId || (t.organizationId && (await viewer.isOrgAdmin(t.organizationId))));
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
