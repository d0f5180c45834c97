import { CSRF_FIELD, requestMeta } from '../../../shared/auth/middleware';
import { AppError } from '../../../shared/errors';
import { createRoute, defineOperation } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { answerInvitationLink } from '../../../shared/orgs/invitation-links';
import type { OrganizationsDeps } from '../deps';
import { answered, refusal, respond, signInFor, signInToAnswer } from '../pages';

const Html = (description: string) => ({ description, content: { 'text/html': { schema: z.string() } } });

const Answer = z.object({
  token: z.string().min(1).max(512),
  decision: z.enum(['accept', 'decline']),
  [CSRF_FIELD]: z.string().max(256).optional(),
});

// Not a signed-in operation: a signed-out visitor gets the sign-in choice as a 401 page, not a problem+json.
export const answerInvitationPageOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/invitations/accept',
    tags: ['Invitations'],
    summary: 'The invitation page answers: accept or decline (HTML form)',
    description:
      'The form of `GET /invitations/accept` posts here with the CSRF cookie echoed in `csrfToken`. Same rules as `POST /api/v1/invitations/accept`; the answer is an HTML page.',
    request: {
      body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: Answer } } },
    },
    responses: {
      200: Html('Joined the organization (or declined)'),
      401: Html('Signed out: the sign-in choice'),
      403: Html('Another or an unverified address; or the CSRF check failed (problem+json)'),
      404: Html('No invitation has this token'),
      409: Html('Already answered, cancelled, expired, or already a member'),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const form = c.req.valid('form');
    const signIn = signInFor(deps.auth, form.token);
    const principal = c.var.principal;
    if (!principal) return respond(c, 401, signInToAnswer(signIn));
    const actor = { ...requestMeta(c, deps.auth.trustProxy), userId: principal.userId };
    try {
      const input = { token: form.token, answer: form.decision };
      return respond(c, 200, answered(await answerInvitationLink(deps.orgs, actor, input)));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const page = refusal(err, signIn);
      return respond(c, page.status, page.body);
    }
  },
);
