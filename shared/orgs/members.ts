import { and, asc, eq, gt, inArray, or } from 'drizzle-orm';
import { audit } from '../audit';
import type { OrgRole } from '../authz';
import { authzTransaction } from '../authz';
import type { Db } from '../db';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../db/pagination';
import { invitations, organizationMembers, users, workspaceMembers, workspaces } from '../db/schema';
import { ConflictError, NotFoundError } from '../errors';
import { EVENTS } from '../events/catalog';
import { enqueue } from '../events/outbox';
import { type Actor, auditMeta, authzOf, type OrgContext } from './context';

export type MemberView = {
  userId: string;
  email: string;
  displayName: string;
  role: OrgRole;
  joinedAt: string;
};
export type PendingInvitationView = {
  id: string;
  email: string;
  role: OrgRole;
  status: 'pending';
  expiresAt: string;
};

/** Members (paged) and, on every page, the pending invitations (few, and capped by the plan's member limit). */
export async function listMembers(
  ctx: OrgContext,
  _actor: Actor,
  input: { orgId: string } & PageInput,
): Promise<Page<MemberView> & { pendingInvitations: PendingInvitationView[] }> {
  const { orgId, ...page } = input;
  const after = decodeCursor(page.cursor, TimeIdCursor);
  const rows = await ctx.db
    .select({
      userId: users.id,
      email: users.email,
      displayName: users.displayName,
      role: organizationMembers.role,
      joinedAt: organizationMembers.createdAt,
    })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(
      and(
        eq(organizationMembers.organizationId, orgId),
        after
          ? or(
              gt(organizationMembers.createdAt, new Date(after[0])),
              and(eq(organizationMembers.createdAt, new Date(after[0])), gt(users.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(organizationMembers.createdAt), asc(users.id))
    .limit(page.limit + 1);
  const pending = await ctx.db
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.organizationId, orgId),
        eq(invitations.status, 'pending'),
        gt(invitations.expiresAt, ctx.now()),
      ),
    )
    .orderBy(asc(invitations.createdAt));
  return {
    ...toPage(
      rows,
      page.limit,
      (r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }),
      (r) => [r.joinedAt.toISOString(), r.userId],
    ),
    pendingInvitations: pending.map((i) => ({
      id: i.id,
      email: i.email,
      role: i.role,
      status: 'pending',
      expiresAt: i.expiresAt.toISOString(),
    })),
  };
}

/**
 * Locks every admin row of the organization, so concurrent demotions and removals are serialised and the last
 * admin can never be taken away — not even by two admins demoting each other at the same moment.
 */
async function lockAdmins(tx: Db, orgId: string): Promise<string[]> {
  const rows = await tx
    .select({ userId: organizationMembers.userId })
    .from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.role, 'admin')))
    .for('update');
  return rows.map((r) => r.userId);
}

/** The organization's admin rows and the target member's row, locked in that order by every writer. */
async function lockMember(tx: Db, orgId: string, userId: string) {
  const admins = await lockAdmins(tx, orgId);
  const [member] = await tx
    .select()
    .from(organizationMembers)
    .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.userId, userId)))
    .for('update');
  if (!member) throw noMember();
  return { admins, member };
}

const lastAdmin = () =>
  new ConflictError('An organization needs at least one admin; promote someone else first.', 'LAST_ADMIN');
const noMember = () => new NotFoundError('No such member.', 'MEMBER_NOT_FOUND');

export async function changeMemberRole(
  ctx: OrgContext,
  actor: Actor,
  input: { orgId: string; userId: string; role: OrgRole },
) {
  const { orgId, userId, role } = input;
  return authzTransaction(authzOf(ctx), { users: [userId] }, async (tx) => {
    const { admins, member } = await lockMember(tx, orgId, userId);
    if (member.role === 'admin' && role !== 'admin' && admins.length <= 1) throw lastAdmin();
    if (member.role !== role) {
      await tx
        .update(organizationMembers)
        .set({ role })
        .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.userId, userId)));
      await audit(tx, {
        ...auditMeta(actor),
        action: 'member.role_changed',
        organizationId: orgId,
        targetType: 'user',
        targetId: userId,
        data: { from: member.role, to: role },
      });
    }
    return { userId, role };
  });
}

export async function removeMember(ctx: OrgContext, actor: Actor, input: { orgId: string; userId: string }) {
  const { orgId, userId } = input;
  await authzTransaction(authzOf(ctx), { users: [userId] }, async (tx) => {
    const { admins, member } = await lockMember(tx, orgId, userId);
    if (member.role === 'admin' && admins.length <= 1) throw lastAdmin();
    await tx
      .delete(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.userId, userId)));
    // Leaving the organization means leaving its workspaces (and, by cascade, their groups); each affected
    // workspace's RBAC must be resynced, so each gets an event.
    const left = await tx
      .delete(workspaceMembers)
      .where(
        and(
          eq(workspaceMembers.userId, userId),
          inArray(
            workspaceMembers.workspaceId,
            tx.select({ id: workspaces.id }).from(workspaces).where(eq(workspaces.organizationId, orgId)),
          ),
        ),
      )
      .returning({ workspaceId: workspaceMembers.workspaceId });
    for (const { workspaceId } of left) {
      await enqueue(tx, {
        type: EVENTS.rbacChanged.type,
        source: 'organizations',
        subject: userId,
        data: { workspaceId, userId },
      });
    }
    await audit(tx, {
      ...auditMeta(actor),
      action: 'member.removed',
      organizationId: orgId,
      targetType: 'user',
      targetId: userId,
      data: { role: member.role },
    });
  });
}
