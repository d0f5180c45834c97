import { eq } from 'drizzle-orm';
import { unseal } from '../auth/seal';
import { hashToken } from '../auth/secrets';
import type { OrgRole } from '../authz';
import { invitations, organizations, users } from '../db/schema';
import type { Actor, OrgContext } from './context';
import { acceptUrl, assertAnswerable, invitee, respondToInvitation } from './invitations';

// The emailed link: what the email says, what the page shows before the person answers, and the answer.

/** Wording shared by the email and the page. Times are UTC: neither knows the reader's time zone. */
export const wording = {
  role: (role: OrgRole) => (role === 'admin' ? 'an admin' : 'a member'),
  instant: (d: Date) => `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`,
};

export type InvitationEmail = {
  invitationId: string;
  to: string;
  organization: { id: string; name: string };
  role: OrgRole;
  expiresAt: Date;
  invitedBy: { name: string; email: string } | null;
  acceptUrl: string;
};

/**
 * The content of an invitation email, or null when there is nothing to send any more (answered, cancelled or
 * expired meanwhile). The token is unsealed only here, into the link.
 */
export async function invitationEmail(
  ctx: OrgContext,
  invitationId: string,
): Promise<InvitationEmail | null> {
  const [row] = await ctx.db
    .select({
      inv: invitations,
      orgName: organizations.name,
      inviterName: users.displayName,
      inviterEmail: users.email,
    })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.id, invitationId));
  if (!row) return null;
  const { inv } = row;
  if (inv.status !== 'pending' || !inv.tokenEncrypted || inv.expiresAt <= ctx.now()) return null;
  return {
    invitationId: inv.id,
    to: inv.email,
    organization: { id: inv.organizationId, name: row.orgName },
    role: inv.role,
    expiresAt: inv.expiresAt,
    invitedBy: row.inviterEmail
      ? { name: row.inviterName ?? row.inviterEmail, email: row.inviterEmail }
      : null,
    acceptUrl: acceptUrl(ctx.publicUrl, unseal(ctx.kek, inv.id, inv.tokenEncrypted)),
  };
}

export type InvitationLinkView = {
  /** The signed-in person's address, which is the invited one. */
  email: string;
  organization: { id: string; name: string };
  role: OrgRole;
  expiresAt: Date;
  invitedBy: string | null;
};

/**
 * What the link shows the signed-in person before they answer. The checks are those of answering, so the page
 * never offers what would then fail; it changes nothing (mail scanners open links).
 */
export async function openInvitationLink(
  ctx: OrgContext,
  actor: Actor,
  input: { token: string },
): Promise<InvitationLinkView> {
  const { token } = input;
  const me = await invitee(ctx.db, actor.userId);
  const [row] = await ctx.db
    .select({ inv: invitations, orgName: organizations.name, inviterName: users.displayName })
    .from(invitations)
    .innerJoin(organizations, eq(organizations.id, invitations.organizationId))
    .leftJoin(users, eq(users.id, invitations.invitedBy))
    .where(eq(invitations.tokenHash, hashToken(token)));
  const inv = row?.inv;
  assertAnswerable(inv, me, ctx.now(), true);
  return {
    email: me.email,
    organization: { id: inv.organizationId, name: row!.orgName },
    role: inv.role,
    expiresAt: inv.expiresAt,
    invitedBy: row!.inviterName,
  };
}

/** Answers through the link: `respondToInvitation` by token, plus the organization's name for the result page. */
export async function answerInvitationLink(
  ctx: OrgContext,
  actor: Actor,
  input: { token: string; answer: 'accept' | 'decline' },
) {
  const result = await respondToInvitation(ctx, actor, input);
  const [org] = await ctx.db
    .select({ name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, result.organizationId));
  return { ...result, organization: { id: result.organizationId, name: org?.name ?? result.organizationId } };
}
