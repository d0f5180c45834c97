import { and, asc, count, eq, sql } from 'drizzle-orm';
import { type Authz, authzTransaction } from '../authz';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { rows } from '../db/raw';
import { groupMemberships, groups, users, workspaceMembers, workspaces } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';

export type GroupNode = {
  id: string;
  name: string;
  parentId: string | null;
  isDefault: boolean;
  children: GroupNode[];
};

const groupNotFound = () => new NotFoundError('No such group.', 'GROUP_NOT_FOUND');
const nameTaken = (name: string) =>
  new ConflictError(`A group named "${name}" already exists in this workspace.`, 'GROUP_NAME_TAKEN');

/** The whole tree, children sorted by name. */
export async function groupTree(db: Db, wsId: string): Promise<GroupNode[]> {
  const all = await db.select().from(groups).where(eq(groups.workspaceId, wsId)).orderBy(asc(groups.name));
  const nodes = new Map<string, GroupNode>(
    all.map((g) => [
      g.id,
      { id: g.id, name: g.name, parentId: g.parentId, isDefault: g.isDefault, children: [] },
    ]),
  );
  const roots: GroupNode[] = [];
  for (const n of nodes.values()) (n.parentId ? nodes.get(n.parentId)?.children : roots)?.push(n);
  return roots;
}

export async function getGroup(db: Db, wsId: string, groupId: string) {
  const [g] = await db
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, wsId), eq(groups.id, groupId)));
  if (!g) throw groupNotFound();
  return { id: g.id, name: g.name, parentId: g.parentId, isDefault: g.isDefault };
}

/** Group changes in a workspace are serialised on its row: moves checked for cycles cannot interleave. */
async function lockWorkspace(tx: Db, wsId: string) {
  await tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.id, wsId)).for('update');
}

async function requireGroup(tx: Db, wsId: string, groupId: string) {
  const [g] = await tx
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, wsId), eq(groups.id, groupId)));
  if (!g) throw groupNotFound();
  return g;
}

/** A group named in an assignment body: an unknown one is a rule violation (422), not a missing resource. */
export async function assignableGroup(tx: Db, wsId: string, groupId: string) {
  const [g] = await tx
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, wsId), eq(groups.id, groupId)));
  if (!g) throw new RuleViolationError('The group does not exist in this workspace.', 'UNKNOWN_GROUP');
  return g;
}

export async function createGroup(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  input: { name: string; parentId?: string | null },
) {
  try {
    return await db.transaction(async (tx) => {
      await lockWorkspace(tx, ws.workspaceId);
      if (input.parentId) await requireGroup(tx, ws.workspaceId, input.parentId);
      const id = newId('grp');
      await tx
        .insert(groups)
        .values({ id, workspaceId: ws.workspaceId, name: input.name, parentId: input.parentId ?? null });
      await recordChange(tx, actor, ws, {
        action: 'group.created',
        targetType: 'group',
        targetId: id,
        data: { name: input.name },
      });
      return { id, name: input.name, parentId: input.parentId ?? null, isDefault: false };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name);
    throw err;
  }
}

/** Rename and/or move. Moving under itself or a descendant is a cycle: 422. Default groups keep their names. */
export async function updateGroup(
  authz: Authz,
  actor: Actor,
  ws: WorkspaceAccess,
  groupId: string,
  input: { name?: string; parentId?: string | null },
) {
  try {
    return await authzTransaction(authz, { workspaces: [ws.workspaceId] }, async (tx) => {
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
        const ancestry = await rows<{ id: string }>(
          tx,
          sql`with recursive up(id, parent_id) as (
                select id, parent_id from groups where id = ${input.parentId}
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
    if (isUniqueViolation(err)) throw nameTaken(input.name ?? '');
    throw err;
  }
}

export async function deleteGroup(authz: Authz, actor: Actor, ws: WorkspaceAccess, groupId: string) {
  await authzTransaction(authz, { workspaces: [ws.workspaceId] }, async (tx) => {
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

export async function listGroupMembers(db: Db, wsId: string, groupId: string) {
  await requireGroup(db, wsId, groupId);
  return db
    .select({ userId: users.id, email: users.email, displayName: users.displayName })
    .from(groupMemberships)
    .innerJoin(users, eq(users.id, groupMemberships.userId))
    .where(eq(groupMemberships.groupId, groupId))
    .orderBy(asc(users.email));
}

export async function addGroupMember(
  authz: Authz,
  actor: Actor,
  ws: WorkspaceAccess,
  groupId: string,
  userId: string,
) {
  await authzTransaction(authz, { workspaces: [ws.workspaceId] }, async (tx) => {
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
}

export async function removeGroupMember(
  authz: Authz,
  actor: Actor,
  ws: WorkspaceAccess,
  groupId: string,
  userId: string,
) {
  await authzTransaction(authz, { workspaces: [ws.workspaceId] }, async (tx) => {
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
