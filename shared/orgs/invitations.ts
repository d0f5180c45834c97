import { and, asc, eq, gt, sql } from 'drizzle-orm';
import { audit } from '../audit';
import { seal } from '../auth/seal';
import { hashToken, randomToken } from '../auth/secrets';
import type { OrgRole } from '../authz';
import { authzTransaction } from '../authz';
import type { Db } from '../db';
import { invitations, organizationMembers, organizations, users } from '../db/schema';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors';
import { EVENTS } from '../events/catalog';
import { enqueue } from '../events/outbox';
import { newId } from '../ids';
import { type Actor, auditMeta, authzOf, type OrgContext } from './context';

export const INVITATION_TTL_DAYS = 7;
const INVITE_PREFIX = 'hxb_inv_';

/** The emailed link: the invitation page of the public origin. */
export const acceptUrl = (publicUrl: string, token: string) =>
  `${publicUrl.replace(/\/$/, '')}/invitations/accept?token=${encodeURIComponent(token)}`;

export type InvitationView = {
  id: string;
  email: string;
  role: OrgRole;
  status: 'pending';
  expiresAt: string;
};

/**
 * 404 to the API whoever asks. `signedInAs` is set when an emailed token matched an invitation for another
 * address: the invitation page tells the holder of the link to switch accounts (403), naming nothing of it.
 */
export class InvitationNotFoundError extends NotFoundError {
  constructor(readonly signedInAs?: string) {
    super('No such invitation.', 'INVITATION_NOT_FOUND');
  }
}

const notFound = () => new InvitationNotFoundError();

/**
 * Invites an address. The token is stored hashed (for lookup) and sealed (so the email sender can build the link);
 * the email itself is requested through the outbox, in the same transaction.
 */
export async function createInvitation(
  ctx: OrgContext,
  actor: Actor,
  input: { orgId: string; email: string; role: OrgRole },
): Promise<InvitationView & { acceptUrl: string }> {
  const { orgId } = input;
  const email = input.email.trim();
  const token = randomToken(INVITE_PREFIX);
  const id = newId('inv');
  return ctx.db.transaction(async (tx) => {
    const [member] = await tx
      .select({ id: users.id })
      .from(organizationMembers)
      .innerJoin(users, eq(users.id, organizationMembers.userId))
      .where(
        and(
          eq(organizationMembers.organizationId, orgId),
          sql`lower(${users.email}) = ${email.toLowerCase()}`,
          eq(users.emailVerified, true),
        ),
      );
    if (member) throw new ConflictError(`${email} is already a member.`, 'ALREADY_MEMBER');
    // A pending invitation that expired no longer blocks a new one.
    await tx
      .update(invitations)
      .set({ status: 'cancelled', respondedAt: ctx.now() })
      .where(
        and(
          eq(invitations.organizationId, orgId),
          eq(invitations.status, 'pending'),
          sql`lower(${invitations.email}) = ${email.toLowerCase()}`,
          sql`${invitations.expiresAt} <= ${ctx.now()}`,
        ),
      );
    const expiresAt = new Date(ctx.now().getTime() + INVITATION_TTL_DAYS * 86_400_000);
    const inserted = await tx
      .insert(invitations)
      .values({
        id,
        organizationId: orgId,
        email,
        role: input.role,
        tokenHash: hashToken(token),
        tokenEncrypted: seal(ctx.kek, id, token),
        invitedBy: actor.userId,
        expiresAt,
      })
      .onConflictDoNothing()
      .returning({ id: invitations.id });
    if (inserted.length === 0)
      throw new ConflictError(`${email} already has a pending invitation.`, 'INVITATION_PENDING');
    await audit(tx, {
      ...auditMeta(actor),
      action: 'invitation.created',
      organizationId: orgId,
      targetType: 'invitation',
      targetId: id,
      data: { email, role: input.role },
    });
    await enqueue(tx, {
      type: EVENTS.emailRequested.type,
      source: 'organizations',
      subject: id,
      data: { template: 'organization-invitation', invitationId: id, organizationId: orgId },
    });
    return {
      id,
      email,
      role: input.role,
      status: 'pending',
      expiresAt: expiresAt.toISOString(),
      acceptUrl: acceptUrl(ctx.publicUrl, token),
    };
  });
}

export async function cancelInvitation(
  ctx: OrgContext,
  actor: Actor,
  input: { orgId: string; invitationId: string },
) {
  const { orgId, invitationId } = input;
  await ctx.db.transaction(async (tx) => {
    const done = await tx
      .update(invitations)
      .set({ status: 'cancelled', respondedAt: ctx.now(), respondedBy: actor.userId })
      .where(
        and(
          eq(invitations.id, invitationId),
          eq(invitations.organizationId, orgId),
          eq(invitations.status, 'pending'),
        ),
      )
      .returning({ id: invitations.id });
    if (done.length === 0) throw notFound();
    await audit(tx, {
      ...auditMeta(actor),
      action: 'invitation.cancelled',
      organizationId: orgId,
      targetType: 'invitation',
      targetId: invitationId,
    });
  });
}

export type Invitee = { userId: string; email: string; emailVerified: boolean };

export async function invitee(db: Db, userId: string): Promise<Invitee> {
  const [u] = await db.select().from(users).where(eq(users.id, userId));
  if (!u) throw new NotFoundError('The user no longer exists.');
  return { userId: u.id, email: u.email, emailVerified: u.emailVerified };
}

/** The caller's open invitations, matched by their verified email. */
export async function listMyInvitations(ctx: OrgContext, actor: Actor) {
  const me = await invitee(ctx.db, actor.userId);
  if (!me.emailVerified) return [];
  const rows = await ctx.db
    .select({
      id: invitations.id,
      role: invitations.role,
      expiresAt: invitations.expiresAt,
      orgId: organizations.id,
      orgName: organizations.name,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .where(
      and(
        eq(invitations.status, 'pending'),
        gt(invitations.expiresAt, ctx.now()),
        sql`lower(${invitations.email}) = ${me.email.toLowerCase()}`,
      ),
    )
    .orderBy(asc(invitations.createdAt));
  return rows.map((r) => ({
    id: r.id,
    organization: { id: r.orgId, name: r.orgName },
    role: r.role,
    expiresAt: r.expiresAt.toISOString(),
  }));
}

/**
 * Whether `me` may answer the invitation now; the same rules for the API, the invitation page and its preview.
 * The invited address is compared first, so that nobody else learns the invitation's state.
 */
export function assertAnswerable(
  inv: { email: string; status: string; expiresAt: Date } | undefined,
  me: Invitee,
  now: Date,
  byToken: boolean,
): asserts inv {
  if (!inv) throw notFound();
  if (inv.email.toLowerCase() !== me.email.toLowerCase())
    throw byToken ? new InvitationNotFoundError(me.email) : notFound();
  if (!me.emailVerified)
    throw new ForbiddenError('Verify your email address before accepting invitations.', 'EMAIL_NOT_VERIFIED');
  if (inv.status !== 'pending')
    throw new ConflictError(`The invitation was already ${inv.status}.`, 'INVITATION_NOT_PENDING');
  if (inv.expiresAt <= now)
    throw new ConflictError('The invitation has expired; ask for a new one.', 'INVITATION_EXPIRED');
}

/** The invitation by its id (the API) or by the emailed token (the link), and the answer. */
export type InvitationAnswer = ({ id: string } | { token: string }) & { answer: 'accept' | 'decline' };

/**
 * Accepts or declines, by id or by the emailed token. Only a signed-in user whose *verified* email is the invited
 * one may respond; anyone else learns nothing (404), except the right person with an unverified address (403).
 * The row lock makes a token single use even under concurrent clicks.
 */
export async function respondToInvitation(
  ctx: OrgContext,
  actor: Actor,
  input: InvitationAnswer,
): Promise<{ organizationId: string; role: OrgRole; status: 'accepted' | 'declined' }> {
  const { answer, ...by } = input;
  const me = await invitee(ctx.db, actor.userId);
  return authzTransaction(authzOf(ctx), { users: [actor.userId] }, async (tx) => {
    const [inv] = await tx
      .select()
      .from(invitations)
      .where('id' in by ? eq(invitations.id, by.id) : eq(invitations.tokenHash, hashToken(by.token)))
      .for('update');
    assertAnswerable(inv, me, ctx.now(), 'token' in by);
    if (answer === 'accept') {
      const joined = await tx
        .insert(organizationMembers)
        .values({ organizationId: inv.organizationId, userId: me.userId, role: inv.role })
        .onConflictDoNothing()
        .returning({ userId: organizationMembers.userId });
      if (joined.length === 0)
        throw new ConflictError('You are already a member of this organization.', 'ALREADY_MEMBER');
    }
    const status = answer === 'accept' ? 'accepted' : 'declined';
    await tx
      .update(invitations)
      .set({ status, respondedAt: ctx.now(), respondedBy: me.userId })
      .where(eq(invitations.id, inv.id));
    await audit(tx, {
      ...auditMeta(actor),
      action: `invitation.${status}`,
      organizationId: inv.organizationId,
      targetType: 'invitation',
      targetId: inv.id,
      data: { role: inv.role },
    });
    return { organizationId: inv.organizationId, role: inv.role, status };
  });
}
