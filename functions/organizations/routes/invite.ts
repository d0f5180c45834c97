import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { createInvitation } from '../../../shared/orgs/invitations';
import type { OrganizationsDeps } from '../deps';
import { InvitationSchema, Role } from '../schemas';

export const inviteOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/organizations/{orgId}/users',
    tags: ['Organizations'],
    summary: 'Invite someone by email (admins)',
    description: 'The invitation expires after 7 days. The email is requested through the event outbox.',
    request: {
      params: OrgParam,
      body: {
        required: true,
        content: { 'application/json': { schema: z.object({ email: z.email().max(254), role: Role }) } },
      },
    },
    responses: {
      201: { description: 'Invited', content: { 'application/json': { schema: InvitationSchema } } },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    // The link goes out by email only (the notifications worker); the response never carries the token.
    const { acceptUrl: _, ...invitation } = await createInvitation(
      deps.orgs,
      actorOf(c, deps.auth.trustProxy),
      {
        orgId,
        ...c.req.valid('json'),
      },
    );
    return c.json(invitation, 201);
  },
);
