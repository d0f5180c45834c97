import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { renameOrganization } from '../../../shared/orgs/organizations';
import type { OrganizationsDeps } from '../deps';
import { OrganizationSchema, OrgName } from '../schemas';

export const renameOrganizationOperation = defineSignedInOperation(
  createRoute({
    method: 'patch',
    path: '/api/v1/organizations/{orgId}',
    tags: ['Organizations'],
    summary: 'Rename an organization (admins)',
    request: {
      params: OrgParam,
      body: { required: true, content: { 'application/json': { schema: z.object({ name: OrgName }) } } },
    },
    responses: {
      200: { description: 'Renamed', content: { 'application/json': { schema: OrganizationSchema } } },
      ...problems(401, 403, 404),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await renameOrganization(deps.orgs, actor, { orgId, ...c.req.valid('json') }), 200);
  },
);
