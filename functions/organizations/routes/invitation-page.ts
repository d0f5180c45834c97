import { csrfTokenOf } from '../../../shared/auth/csrf';
import { requestMeta } from '../../../shared/auth/middleware';
import { AppError } from '../../../shared/errors';
import { createRoute, defineOperation } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { openInvitationLink } from '../../../shared/orgs/invitation-links';
import type { OrganizationsDeps } from '../deps';
import { incompleteLink, invitation, refusal, respond, signInFor, signInToAnswer } from '../pages';

const Html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

export const invitationPageOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/invitations/accept',
    tags: ['Invitations'],
    summary: 'The emailed invitation link: an HTML page to sign in, then accept or decline',
    description:
      'Opening the link changes nothing (mail scanners follow links): signed out, it offers the sign-in choice and comes back; signed in with the invited, verified address, it shows the organization, the role and the expiry with Accept and Decline, which post to the same path.',
    security: [],
    request: { query: z.object({ token: z.string().max(512).optional() }) },
    responses: {
      200: Html('Sign-in choice (signed out), or the invitation with Accept and Decline'),
      400: Html('The link has no token'),
      403: Html('Signed in with another address than the invited one, or with an unverified one'),
      404: Html('No invitation has this token'),
      409: Html('Already answered, cancelled or expired'),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { token } = c.req.valid('query');
    if (!token) return respond(c, 400, incompleteLink());
    const signIn = signInFor(deps.auth, token);
    const principal = c.var.principal;
    if (!principal) return respond(c, 200, signInToAnswer(signIn));
    try {
      const actor = { ...requestMeta(c, deps.auth.trustProxy), userId: principal.userId };
      const view = await openInvitationLink(deps.orgs, actor, { token });
      return respond(c, 200, invitation({ view, token, csrfToken: csrfTokenOf(deps.auth.auth, principal) }));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const page = refusal(err, signIn);
      return respond(c, page.status, page.body);
    }
  },
);
