import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import {
  commonResponses,
  createRoute,
  defineOperation,
  problemResponses,
} from '../../../shared/http/openapi';
import { deleteOrganization } from '../../../shared/orgs/organizations';
import type { OrganizationsDeps } from '../app';
import { OrgParam } from '../schemas';

export const deleteOrganizationOperation = defineOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/organizations/{orgId}',
    tags: ['Organizations'],
    summary: 'Delete an organization (admins; 409 while it has workspaces)',
    request: { params: OrgParam },
    responses: {
      204: { description: 'Deleted' },
      401: problemResponses[401],
      403: problemResponses[403],
      404: problemResponses[404],
      409: problemResponses[409],
      ...commonResponses,
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.db, orgId, c.var.principal!.userId, 'admin');
    await deleteOrganization(deps.orgs, actorOf(c, deps.auth.trustProxy), orgId);
    return c.body(null, 204);
  },
);
