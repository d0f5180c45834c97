import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { InvitationParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { respondToInvitation } from '../../../shared/orgs/invitations';
import type { OrganizationsDeps } from '../deps';
import { Role } from '../schemas';

const Result = z
  .object({ organizationId: z.string(), role: Role, status: z.enum(['accepted', 'declined']) })
  .openapi('InvitationResponse');

const responses = {
  200: { description: 'Done', content: { 'application/json': { schema: Result } } },
  ...problems(401, 403, 404, 409),
};

export const respondOperations = (['accept', 'decline'] as const).map((answer) =>
  defineSignedInOperation(
    createRoute({
      method: 'post',
      path: `/api/v1/invitations/{invitationId}/${answer}`,
      tags: ['Invitations'],
      summary: `${answer === 'accept' ? 'Accept' : 'Decline'} an invitation (the invited, verified email only)`,
      request: { params: InvitationParam },
      responses,
    }),
    (deps: OrganizationsDeps) => async (c) => {
      const { invitationId } = c.req.valid('param');
      const actor = actorOf(c, deps.auth.trustProxy);
      return c.json(await respondToInvitation(deps.orgs, actor, { id: invitationId, answer }), 200);
    },
  ),
);

export const acceptByTokenOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/invitations/accept',
    tags: ['Invitations'],
    summary: 'Accept with the token from the emailed link',
    request: {
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ token: z.string().min(1).max(200) }) } },
      },
    },
    responses,
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const actor = actorOf(c, deps.auth.trustProxy);
    const { token } = c.req.valid('json');
    return c.json(await respondToInvitation(deps.orgs, actor, { token, answer: 'accept' }), 200);
  },
);
