import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import { listOrganizations } from '../../../shared/orgs/organizations';
import type { OrganizationsDeps } from '../deps';
import { OrganizationSchema } from '../schemas';

export const listOrganizationsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations',
    tags: ['Organizations'],
    summary: "The caller's organizations, with the caller's role",
    request: { query: PageQuery },
    responses: {
      200: {
        description: 'Organizations',
        content: { 'application/json': { schema: pageOf(OrganizationSchema) } },
      },
      ...problems(401),
    },
  }),
  (deps: OrganizationsDeps) => async (c) =>
    c.json(await listOrganizations(deps.orgs, actorOf(c, deps.auth.trustProxy), c.req.valid('query')), 200),
);
