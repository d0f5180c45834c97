import type { Context } from 'hono';
import { html } from 'hono/html';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { Auth } from '../../shared/auth';
import { CSRF_FIELD } from '../../shared/auth/middleware';
import type { AppError } from '../../shared/errors';
import { page, pageHeaders, signInChoice } from '../../shared/http/pages';
import { type InvitationLinkView, wording } from '../../shared/orgs/invitation-links';
import { InvitationNotFoundError } from '../../shared/orgs/invitations';

// The page behind the emailed invitation link. Served by the API (there is no console yet); values are escaped
// by `html`. Nothing here names an organization unless the signed-in person is the one invited.

type SignIn = Parameters<typeof signInChoice>[0];

/** The sign-in choice, coming back to this same link afterwards. */
export const signInFor = (auth: Auth, token: string): SignIn => ({
  providers: [...auth.providers.values()].map(({ id, name }) => ({ id, name })),
  devLogin: auth.devLogin,
  returnTo: `/invitations/accept?token=${encodeURIComponent(token)}`,
});

export function respond(c: Context, status: ContentfulStatusCode, body: ReturnType<typeof page>) {
  pageHeaders(c);
  return c.html(body, status);
}

export const signInToAnswer = (signIn: SignIn) =>
  page({
    title: 'Sign in to answer your invitation',
    body: html`<p>You were invited to an organization on Hexabase. Sign in with the email address the invitation
        was sent to; you will come back here to accept or decline it.</p>
      ${signInChoice(signIn)}`,
  });

export const incompleteLink = () =>
  page({
    title: 'This link is incomplete',
    body: html`<p>The link has no invitation token. Open the whole link from the invitation email.</p>`,
  });

export function invitation(input: {
  view: InvitationLinkView;
  token: string;
  csrfToken: string | undefined;
}) {
  const { view } = input;
  return page({
    title: `Join ${view.organization.name}?`,
    body: html`
      <p>${view.invitedBy ?? 'An administrator'} invited you (<strong>${view.email}</strong>) to join the
        organization <strong>${view.organization.name}</strong> as <strong>${wording.role(view.role)}</strong>.</p>
      <p><small>The invitation expires on ${wording.instant(view.expiresAt)}.</small></p>
      <form method="post" action="/invitations/accept">
        <input type="hidden" name="token" value="${input.token}" />
        ${input.csrfToken ? html`<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}" />` : ''}
        <button class="primary" type="submit" name="decision" value="accept">Accept</button>
        <button type="submit" name="decision" value="decline">Decline</button>
      </form>
    `,
  });
}

export function answered(result: {
  organization: { name: string };
  role: 'admin' | 'member';
  status: 'accepted' | 'declined';
}) {
  const org = result.organization.name;
  return result.status === 'accepted'
    ? page({
        title: `You joined ${org}`,
        body: html`<p>You are now ${wording.role(result.role)} of <strong>${org}</strong>.</p>
          <p><small>It is listed by <code>hxb orgs list</code> and in <code>GET /auth/me</code>.</small></p>`,
      })
    : page({
        title: 'Invitation declined',
        body: html`<p>You declined the invitation to join <strong>${org}</strong>. Nothing else changed.</p>`,
      });
}

const TITLES: Record<string, string> = {
  INVITATION_NOT_FOUND: 'Invitation not found',
  EMAIL_NOT_VERIFIED: 'Verify your email address first',
  INVITATION_EXPIRED: 'This invitation has expired',
  INVITATION_NOT_PENDING: 'This invitation was already answered',
  ALREADY_MEMBER: 'You are already a member',
};

/**
 * A refusal of the shared verbs as a page with the same status, except that someone holding a link meant for
 * another address gets 403 and a way to switch accounts: they know the invitation exists, not whose it is.
 */
export function refusal(
  err: AppError,
  signIn: SignIn,
): { status: ContentfulStatusCode; body: ReturnType<typeof page> } {
  if (err instanceof InvitationNotFoundError && err.signedInAs)
    return {
      status: 403,
      body: page({
        title: 'This invitation is for another address',
        body: html`<p>You are signed in as <strong>${err.signedInAs}</strong>, but the invitation was sent to a
            different email address. Sign in with the address that received the email:</p>
          ${signInChoice(signIn)}`,
      }),
    };
  const detail =
    err.code === 'INVITATION_NOT_FOUND'
      ? 'This link does not belong to any invitation. Check that you opened the whole link from the email, or ask for a new invitation.'
      : (err.detail ?? err.title);
  return {
    status: err.status as ContentfulStatusCode,
    body: page({ title: TITLES[err.code] ?? err.title, body: html`<p>${detail}</p>` }),
  };
}
