import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import { getOrganization } from '../../../shared/orgs/organizations';
import type { OrganizationsDeps } from '../deps';
import { OrganizationSchema } from '../schemas';

export const getOrganizationOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}',
    tags: ['Organizations'],
    summary: 'An organization (members only)',
    request: { params: OrgParam },
    responses: {
      200: {
        description: 'The organization',
        content: { 'application/json': { schema: OrganizationSchema } },
      },
      ...problems(401, 404),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    const role = await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'member');
    return c.json(await getOrganization(deps.orgs, actorOf(c, deps.auth.trustProxy), { orgId, role }), 200);
  },
);
