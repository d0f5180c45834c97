import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { MemberParam } from '../../../shared/http/params';
import { removeMember } from '../../../shared/orgs/members';
import type { OrganizationsDeps } from '../deps';

export const removeMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/organizations/{orgId}/users/{userId}',
    tags: ['Organizations'],
    summary: 'Remove a member (admins; the last admin cannot be removed)',
    description: 'The member also leaves every workspace of the organization.',
    request: { params: MemberParam },
    responses: {
      204: { description: 'Removed' },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId, userId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    await removeMember(deps.orgs, actorOf(c, deps.auth.trustProxy), { orgId, userId });
    return c.body(null, 204);
  },
);
