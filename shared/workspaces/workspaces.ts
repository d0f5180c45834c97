import { and, desc, eq, inArray, lt, or, type Placeholder, sql } from 'drizzle-orm';
import { requirePaymentMethod } from '../billing/accounts';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../db/pagination';
import { prepared } from '../db/prepared';
import { groupMemberships, groups, plans, roleAssignments, workspaceMembers, workspaces } from '../db/schema';
import { ConflictError, RuleViolationError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import { workspaceNotFound } from './access';
import type { WorkspacesContext } from './context';
import { type DedicatedNodeConfig, withDedicatedNodes } from './dedicated-nodes';
import { DEFAULT_GROUPS } from './presets';
import { firstLifecycleTask, startLifecycleTask } from './tasks';

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

/** What a workspace starts with besides its row: the creator as member, the default groups and assignments. */
async function seedWorkspace(tx: Db, wsId: string, creatorId: string) {
  await tx.insert(workspaceMembers).values({ workspaceId: wsId, userId: creatorId });
  const [root, admins, users] = [newId('grp'), newId('grp'), newId('grp')];
  await tx.insert(groups).values({ id: root, workspaceId: wsId, name: DEFAULT_GROUPS.root, isDefault: true });
  await tx.insert(groups).values([
    { id: admins, workspaceId: wsId, name: DEFAULT_GROUPS.admins, parentId: root, isDefault: true },
    { id: users, workspaceId: wsId, name: DEFAULT_GROUPS.users, parentId: root, isDefault: true },
  ]);
  await tx.insert(groupMemberships).values({ workspaceId: wsId, groupId: admins, userId: creatorId });
  await tx.insert(roleAssignments).values([
    {
      id: newId('ra'),
      workspaceId: wsId,
      groupId: admins,
      scope: 'workspace',
      roleName: 'hexabase:workspace-admin',
    },
    {
      id: newId('ra'),
      workspaceId: wsId,
      groupId: users,
      scope: 'workspace',
      roleName: 'hexabase:workspace-viewer',
    },
  ]);
}

/**
 * Creates a workspace and everything it starts with, in one transaction: the row (PENDING_CREATION), the creator as
 * member, the default groups WorkspaceMembers → WSAdmins, WSUsers, the creator in WSAdmins, the default cluster-role
 * assignments, the task, the audit row and the event the provisioner acts on.
 */
export async function createWorkspace(
  ctx: Pick<WorkspacesContext, 'db' | 'nodes' | 'billingEnabled'>,
  actor: Actor,
  input: { orgId: string; name: string; planId: string; dedicatedNodeConfig?: DedicatedNodeConfig },
) {
  const wsId = newId('ws');
  try {
    return await withDedicatedNodes(ctx.nodes, wsId, (reserve) =>
      ctx.db.transaction(async (tx) => {
        const plan = await checkPlan(tx, input.planId, input.dedicatedNodeConfig);
        await requirePaymentMethod(tx, ctx.billingEnabled ?? false, input.orgId, plan);
        await tx.insert(workspaces).values({
          id: wsId,
          organizationId: input.orgId,
          name: input.name,
          planId: input.planId,
          dedicatedNodeConfig: input.dedicatedNodeConfig ?? null,
          createdBy: actor.userId,
        });
        await seedWorkspace(tx, wsId, actor.userId);
        const accepted = await startLifecycleTask(tx, actor, 'create', {
          orgId: input.orgId,
          wsId,
          name: input.name,
          data: { name: input.name, planId: input.planId },
        });
        await reserve(input.dedicatedNodeConfig);
        return accepted;
      }),
    );
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError(`A workspace named "${input.name}" already exists.`, 'WORKSPACE_NAME_TAKEN', {
        cause: err,
      });
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

/** Newest first; see visibleTo for who sees what (`orgAdmin`: the actor's role, checked by the caller). */
export async function listWorkspaces(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { orgId: string; orgAdmin: boolean; page: PageInput },
): Promise<Page<WorkspaceView>> {
  const { orgId, orgAdmin, page } = input;
  const after = decodeCursor(page.cursor, TimeIdCursor);
  const rows = !after
    ? await firstPage(ctx.db, orgAdmin).execute({ orgId, userId: actor.userId, limit: page.limit + 1 })
    : await ctx.db
        .select()
        .from(workspaces)
        .where(
          and(
            visibleTo(ctx.db, orgId, actor.userId, orgAdmin),
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

/** The caller has checked that the actor may read it. */
export async function getWorkspace(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { orgId: string; wsId: string },
): Promise<WorkspaceView> {
  const [w] = await workspaceById(ctx.db).execute(input);
  if (!w) throw workspaceNotFound();
  return view(w);
}

/**
 * Plan change: bumps the generation and asks the provisioner to update quotas, limits and placement in place. Fewer
 * nodes than before are released by the provisioner, after the vCluster no longer schedules onto them.
 */
export function changeWorkspacePlan(
  ctx: Pick<WorkspacesContext, 'db' | 'nodes' | 'billingEnabled'>,
  actor: Actor,
  input: { orgId: string; wsId: string; planId?: string; dedicatedNodeConfig?: DedicatedNodeConfig | null },
) {
  const { orgId, wsId } = input;
  return withDedicatedNodes(ctx.nodes, wsId, (reserve) =>
    ctx.db.transaction(async (tx) => {
      const w = await lockWorkspaceRow(tx, orgId, wsId);
      if (w.deletionRequestedAt)
        throw new ConflictError('The workspace is being deleted.', 'WORKSPACE_DELETING');
      const planId = input.planId ?? w.planId;
      const dedicated =
        input.dedicatedNodeConfig === undefined
          ? (w.dedicatedNodeConfig as DedicatedNodeConfig | null)
          : input.dedicatedNodeConfig;
      const plan = await checkPlan(tx, planId, dedicated);
      // Staying on the plan it pays for already (a change of dedicated nodes only) needs nothing new.
      if (planId !== w.planId) await requirePaymentMethod(tx, ctx.billingEnabled ?? false, orgId, plan);
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
      const accepted = await startLifecycleTask(tx, actor, 'update', {
        orgId,
        wsId,
        name: w.name,
        data: { from: w.planId, to: planId, dedicatedNodes: dedicated?.nodeCount ?? 0 },
      });
      await reserve(dedicated);
      return accepted;
    }),
  );
}

/** Records the intent first (DELETING); the provisioner removes the vCluster and then the rows. */
export function requestWorkspaceDeletion(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { orgId: string; wsId: string },
) {
  const { orgId, wsId } = input;
  return ctx.db.transaction(async (tx) => {
    const w = await lockWorkspaceRow(tx, orgId, wsId);
    const open = await firstLifecycleTask(tx, 'delete', { wsId, name: w.name });
    if (w.deletionRequestedAt && open) return open;
    await tx
      .update(workspaces)
      .set({ status: 'DELETING', deletionRequestedAt: new Date(), updatedAt: new Date() })
      .where(eq(workspaces.id, wsId));
    return startLifecycleTask(tx, actor, 'delete', { orgId, wsId, name: w.name });
  });
}
