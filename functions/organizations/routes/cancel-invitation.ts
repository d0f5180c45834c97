import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgInvitationParam } from '../../../shared/http/params';
import { cancelInvitation } from '../../../shared/orgs/invitations';
import type { OrganizationsDeps } from '../deps';

export const cancelInvitationOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/organizations/{orgId}/invitations/{invitationId}',
    tags: ['Organizations'],
    summary: 'Cancel a pending invitation (admins)',
    request: { params: OrgInvitationParam },
    responses: {
      204: { description: 'Cancelled' },
      ...problems(401, 403, 404),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId, invitationId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    await cancelInvitation(deps.orgs, actorOf(c, deps.auth.trustProxy), { orgId, invitationId });
    return c.body(null, 204);
  },
);
