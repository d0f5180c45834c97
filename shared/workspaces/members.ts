import { and, asc, count, eq, gt, or } from 'drizzle-orm';
import { authzTransaction, orgRoleOf } from '../authz';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../db/pagination';
import { groupMemberships, groups, plans, users, workspaceMembers, workspaces } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import type { WorkspacesContext } from './context';
import { DEFAULT_GROUPS } from './presets';

export type WorkspaceMemberView = { userId: string; email: string; displayName: string; joinedAt: string };

export async function listWorkspaceMembers(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess; page: PageInput },
): Promise<Page<WorkspaceMemberView>> {
  const { ws, page } = input;
  const after = decodeCursor(page.cursor, TimeIdCursor);
  const rows = await ctx.db
    .select({
      userId: users.id,
      email: users.email,
      displayName: users.displayName,
      joinedAt: workspaceMembers.createdAt,
    })
    .from(workspaceMembers)
    .innerJoin(users, eq(users.id, workspaceMembers.userId))
    .where(
      and(
        eq(workspaceMembers.workspaceId, ws.workspaceId),
        after
          ? or(
              gt(workspaceMembers.createdAt, new Date(after[0])),
              and(eq(workspaceMembers.createdAt, new Date(after[0])), gt(users.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(asc(workspaceMembers.createdAt), asc(users.id))
    .limit(page.limit + 1);
  return toPage(
    rows,
    page.limit,
    (r) => ({ ...r, joinedAt: r.joinedAt.toISOString() }),
    (r) => [r.joinedAt.toISOString(), r.userId],
  );
}

/** Adds an organization member to the workspace (into WSUsers), within the plan's member cap. */
export async function addWorkspaceMember(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; userId: string },
): Promise<{ userId: string }> {
  const { ws, userId } = input;
  return authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
    // The workspace row lock serialises concurrent additions, so the cap holds.
    const [w] = await tx.select().from(workspaces).where(eq(workspaces.id, ws.workspaceId)).for('update');
    if (!(await orgRoleOf(tx, ws.organizationId, userId))) {
      throw new RuleViolationError(
        'Only members of the organization can join its workspaces.',
        'NOT_AN_ORGANIZATION_MEMBER',
      );
    }
    const [plan] = await tx.select().from(plans).where(eq(plans.id, w!.planId));
    const [n] = await tx
      .select({ n: count() })
      .from(workspaceMembers)
      .where(eq(workspaceMembers.workspaceId, ws.workspaceId));
    const added = await tx
      .insert(workspaceMembers)
      .values({ workspaceId: ws.workspaceId, userId })
      .onConflictDoNothing()
      .returning();
    if (added.length === 0) throw new ConflictError('Already a member of this workspace.', 'ALREADY_MEMBER');
    if (n!.n >= plan!.maxMembers) {
      throw new RuleViolationError(
        `The ${plan!.name} plan allows ${plan!.maxMembers} members per workspace; upgrade the plan to add more.`,
        'PLAN_LIMIT_REACHED',
      );
    }
    const [wsUsers] = await tx
      .select({ id: groups.id })
      .from(groups)
      .where(and(eq(groups.workspaceId, ws.workspaceId), eq(groups.name, DEFAULT_GROUPS.users)));
    if (wsUsers)
      await tx.insert(groupMemberships).values({ workspaceId: ws.workspaceId, groupId: wsUsers.id, userId });
    await recordChange(tx, actor, ws, {
      action: 'workspace.member_added',
      targetType: 'user',
      targetId: userId,
    });
    return { userId };
  });
}

/** Removes a member; their group memberships go with them (foreign-key cascade). */
export async function removeWorkspaceMember(
  ctx: Pick<WorkspacesContext, 'authz'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; userId: string },
): Promise<void> {
  const { ws, userId } = input;
  await authzTransaction(ctx.authz, { workspaces: [ws.workspaceId] }, async (tx) => {
    const gone = await tx
      .delete(workspaceMembers)
      .where(and(eq(workspaceMembers.workspaceId, ws.workspaceId), eq(workspaceMembers.userId, userId)))
      .returning();
    if (gone.length === 0) throw new NotFoundError('No such workspace member.', 'MEMBER_NOT_FOUND');
    await recordChange(tx, actor, ws, {
      action: 'workspace.member_removed',
      targetType: 'user',
      targetId: userId,
    });
  });
}
