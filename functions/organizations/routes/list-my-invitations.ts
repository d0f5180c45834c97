import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { pageOf } from '../../../shared/http/pagination';
import * as z from '../../../shared/http/zod';
import { listMyInvitations } from '../../../shared/orgs/invitations';
import type { OrganizationsDeps } from '../deps';
import { Role } from '../schemas';

const MyInvitation = z
  .object({
    id: z.string(),
    organization: z.object({ id: z.string(), name: z.string() }),
    role: Role,
    expiresAt: z.string(),
  })
  .openapi('MyInvitation');

export const listMyInvitationsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/invitations',
    tags: ['Invitations'],
    summary: "The caller's pending invitations (matched by verified email)",
    responses: {
      200: { description: 'Invitations', content: { 'application/json': { schema: pageOf(MyInvitation) } } },
      ...problems(401),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const items = await listMyInvitations(deps.orgs, actorOf(c, deps.auth.trustProxy));
    return c.json({ items, nextCursor: null }, 200);
  },
);
