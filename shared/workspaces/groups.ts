import { and, asc, count, eq, sql } from 'drizzle-orm';
import { authzTransaction } from '../authz';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { rows } from '../db/raw';
import { groupMemberships, groups, users, workspaceMembers, workspaces } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import type { WorkspacesContext } from './context';

export type GroupNode = {
  id: string;
  name: string;
  parentId: string | null;
  isDefault: boolean;
  children: GroupNode[];
};

const groupNotFound = () => new NotFoundError('No such group.', 'GROUP_NOT_FOUND');
const nameTaken = (name: string, cause: unknown) =>
  new ConflictError(`A group named "${name}" already exists in this workspace.`, 'GROUP_NAME_TAKEN', {
    cause,
  });

type GroupRow = typeof groups.$inferSelect;
export type GroupView = Omit<GroupNode, 'children'>;
const view = (g: Pick<GroupRow, 'id' | 'name' | 'parentId' | 'isDefault'>): GroupView => ({
  id: g.id,
  name: g.name,
  parentId: g.parentId,
  isDefault: g.isDefault,
});

async function findGroup(tx: Db, wsId: string, groupId: string): Promise<GroupRow | undefined> {
  const [g] = await tx
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, wsId), eq(groups.id, groupId)));
  return g;
}

/** A group in a path: unknown, or of another workspace, is a missing resource (404). */
async function requireGroup(tx: Db, wsId: string, groupId: string) {
  const g = await findGroup(tx, wsId, groupId);
  if (!g) throw groupNotFound();
  return g;
}

/** A group named in an assignment body: an unknown one is a rule violation (422), not a missing resource. */
export async function assignableGroup(tx: Db, wsId: string, groupId: string) {
  const g = await findGroup(tx, wsId, groupId);
  if (!g) throw new RuleViolationError('The group does not exist in this workspace.', 'UNKNOWN_GROUP');
  return g;
}

/** Group changes in a workspace are serialised on its row: moves checked for cycles cannot interleave. */
async function lockWorkspace(tx: Db, wsId: string) {
  await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, wsId)).for('update');
}

/** The whole tree, children sorted by name. */
export async function groupTree(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess },
): Promise<GroupNode[]> {
  const all = await ctx.db
    .select()
    .from(groups)
    .where(eq(groups.workspaceId, input.ws.workspaceId))
    .orderBy(asc(groups.name));
  const nodes = new Map<string, GroupNode>(all.map((g) => [g.id, { ...view(g), children: [] }]));
  const roots: GroupNode[] = [];
  for (const n of nodes.values()) (n.parentId ? nodes.get(n.parentId)?.children : roots)?.push(n);
  return roots;
}

export async function getGroup(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string },
): Promise<GroupView> {
  return view(await requireGroup(ctx.db, input.ws.workspaceId, input.groupId));
}

export async function createGroup(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; name: string; parentId?: string | null },
): Promise<GroupView> {
  const { ws, name } = input;
  const parentId = input.parentId ?? null;
  try {
    return await ctx.db.transaction(async (tx) => {
      await lockWorkspace(tx, ws.workspaceId);
      if (parentId) await requireGroup(tx, ws.workspaceId, parentId);
      const id = newId('grp');
      await tx.insert(groups).values({ id, workspaceId: ws.workspaceId, name, parentId });
      await recordChange(tx, actor, ws, {
        action: 'group.created',
        targetType: 'group',
        targetId: id,
        data: { name },
      });
      return { id, name, parentId, isDefault: false };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(name, err);
    throw err;
  }
}

/** Refuses to move a group under itself or one of its descendants (422). */
async function refuseCycle(tx: Db, groupId: string, parentId: string) {
  const ancestry = await rows<{ id: string }>(
    tx,
    sql`with recursive up(id, parent_id) as (
          select id, parent_id from groups where id = ${parentId}
          union select g.id, g.parent_id from groups g join up on g.id = up.parent_id)
        select id from up`,
  );
  if (ancestry.some((a) => a.id === groupId)) {
    throw new RuleViolationError(
      'A group cannot be moved under itself or one of its descendants.',
      'GROUP_CYCLE',
    );
  }
}

/** Rename and/or move. Moving under itself or a descendant is a cycle: 422. Default groups keep their names. */
export async function updateGroup(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string; name?: string; parentId?: string | null },
): Promise<GroupView> {
  const { ws, groupId } = input;
  try {
    return await authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
      await lockWorkspace(tx, ws.workspaceId);
      const g = await requireGroup(tx, ws.workspaceId, groupId);
      if (g.isDefault && input.name !== undefined && input.name !== g.name) {
        throw new RuleViolationError('The default groups cannot be renamed.', 'DEFAULT_GROUP');
      }
      if (g.isDefault && input.parentId !== undefined && input.parentId !== g.parentId) {
        throw new RuleViolationError('The default groups cannot be moved.', 'DEFAULT_GROUP');
      }
      if (input.parentId) {
        await requireGroup(tx, ws.workspaceId, input.parentId);
        await refuseCycle(tx, groupId, input.parentId);
      }
      const next = {
        name: input.name ?? g.name,
        parentId: input.parentId === undefined ? g.parentId : input.parentId,
      };
      await tx.update(groups).set(next).where(eq(groups.id, groupId));
      await recordChange(tx, actor, ws, {
        action: 'group.updated',
        targetType: 'group',
        targetId: groupId,
        data: { from: { name: g.name, parentId: g.parentId }, to: next },
      });
      return { id: groupId, ...next, isDefault: g.isDefault };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name ?? '', err);
    throw err;
  }
}

export async function deleteGroup(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string },
): Promise<void> {
  const { ws, groupId } = input;
  await authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
    await lockWorkspace(tx, ws.workspaceId);
    const g = await requireGroup(tx, ws.workspaceId, groupId);
    if (g.isDefault) throw new ConflictError('The default groups cannot be deleted.', 'DEFAULT_GROUP');
    const [children] = await tx.select({ n: count() }).from(groups).where(eq(groups.parentId, groupId));
    if (children!.n > 0)
      throw new ConflictError('The group has subgroups; move or delete them first.', 'GROUP_HAS_CHILDREN');
    await tx.delete(groups).where(eq(groups.id, groupId));
    await recordChange(tx, actor, ws, {
      action: 'group.deleted',
      targetType: 'group',
      targetId: groupId,
      data: { name: g.name },
    });
  });
}

/** Direct members only, by email; the group tree decides what membership implies (flattenGroups). */
export async function listGroupMembers(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string },
) {
  await requireGroup(ctx.db, input.ws.workspaceId, input.groupId);
  return ctx.db
    .select({ userId: users.id, email: users.email, displayName: users.displayName })
    .from(groupMemberships)
    .innerJoin(users, eq(users.id, groupMemberships.userId))
    .where(eq(groupMemberships.groupId, input.groupId))
    .orderBy(asc(users.email));
}

/** Only a workspace member can join one of its groups (422 otherwise). */
export async function addGroupMember(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string; userId: string },
): Promise<{ groupId: string; userId: string }> {
  const { ws, groupId, userId } = input;
  await authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
    await requireGroup(tx, ws.workspaceId, groupId);
    const [m] = await tx
      .select()
      .from(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, ws.workspaceId), eq(workspaceMembers.userId, userId)));
    if (!m)
      throw new RuleViolationError('Only workspace members can join its groups.', 'NOT_A_WORKSPACE_MEMBER');
    const added = await tx
      .insert(groupMemberships)
      .values({ workspaceId: ws.workspaceId, groupId, userId })
      .onConflictDoNothing()
      .returning();
    if (added.length === 0) throw new ConflictError('Already in this group.', 'ALREADY_MEMBER');
    await recordChange(tx, actor, ws, {
      action: 'group.member_added',
      targetType: 'group',
      targetId: groupId,
      data: { userId },
    });
  });
  return { groupId, userId };
}

export async function removeGroupMember(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; groupId: string; userId: string },
): Promise<void> {
  const { ws, groupId, userId } = input;
  await authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
    await requireGroup(tx, ws.workspaceId, groupId);
    const gone = await tx
      .delete(groupMemberships)
      .where(and(eq(groupMemberships.groupId, groupId), eq(groupMemberships.userId, userId)))
      .returning();
    if (gone.length === 0) throw new NotFoundError('Not in this group.', 'MEMBER_NOT_FOUND');
    await recordChange(tx, actor, ws, {
      action: 'group.member_removed',
      targetType: 'group',
      targetId: groupId,
      data: { userId },
    });
  });
}
