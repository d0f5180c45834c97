import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { createOrganization } from '../../../shared/orgs/organizations';
import type { OrganizationsDeps } from '../deps';
import { OrganizationSchema, OrgName } from '../schemas';

export const createOrganizationOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/organizations',
    tags: ['Organizations'],
    summary: 'Create an organization; the caller becomes its admin',
    request: {
      body: { required: true, content: { 'application/json': { schema: z.object({ name: OrgName }) } } },
    },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: OrganizationSchema } } },
      ...problems(401),
    },
  }),
  (deps: OrganizationsDeps) => async (c) =>
    c.json(await createOrganization(deps.orgs, actorOf(c, deps.auth.trustProxy), c.req.valid('json')), 201),
);
