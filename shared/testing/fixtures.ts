import { randomBytes } from 'node:crypto';
import { createPat } from '../auth/pats';
import { signIn } from '../auth/sign-in';
import { createInvitation, respondToInvitation } from '../orgs/invitations';
import { createOrganization } from '../orgs/organizations';
import type { Platform } from '../platform';

export type TestUser = { userId: string; email: string; token: string };

const uniq = () => randomBytes(4).toString('hex');

/** A signed-in person, created through the real sign-in verb (as a provider would vouch for them). */
export async function signedInUser(
  p: Platform,
  opts: { email?: string; verified?: boolean } = {},
): Promise<TestUser> {
  const email = opts.email ?? `user-${uniq()}@example.com`;
  const r = await signIn(
    p.auth.auth,
    {
      provider: 'fixture',
      subject: `${email}-${uniq()}`,
      email,
      emailVerified: opts.verified ?? true,
      name: null,
    },
    {},
  );
  return { userId: r.user.id, email, token: r.tokens.accessToken };
}

/** An organization with an admin and a member (who joined by invitation), as a real team is set up. */
export async function teamOrganization(p: Platform) {
  const admin = await signedInUser(p);
  const member = await signedInUser(p);
  const org = await createOrganization(p.orgs, { userId: admin.userId }, { name: `Team ${uniq()}` });
  const inv = await createInvitation(p.orgs, { userId: admin.userId }, org.id, {
    email: member.email,
    role: 'member',
  });
  await respondToInvitation(p.orgs, { userId: member.userId }, { id: inv.id }, 'accept');
  return { orgId: org.id, admin, member };
}

/** Everything the authorization matrix needs: a team, an outsider, an open invitation and the admin's PAT. */
export async function matrixFixture(p: Platform) {
  const team = await teamOrganization(p);
  const outsider = await signedInUser(p);
  const invitation = await createInvitation(p.orgs, { userId: team.admin.userId }, team.orgId, {
    email: `invitee-${uniq()}@example.com`,
    role: 'member',
  });
  const pat = await createPat(p.auth.auth, { userId: team.admin.userId, name: 'fixture' }, {});
  return {
    ...team,
    outsider,
    invitation,
    patId: pat.id,
    inviteToken: new URL(invitation.acceptUrl).searchParams.get('token')!,
  };
}
