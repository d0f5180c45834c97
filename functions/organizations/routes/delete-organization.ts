import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import { deleteOrganization } from '../../../shared/orgs/organizations';
import type { OrganizationsDeps } from '../deps';

export const deleteOrganizationOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/organizations/{orgId}',
    tags: ['Organizations'],
    summary: 'Delete an organization (admins; 409 while it has workspaces)',
    request: { params: OrgParam },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    await deleteOrganization(deps.orgs, actorOf(c, deps.auth.trustProxy), { orgId });
    return c.body(null, 204);
  },
);
