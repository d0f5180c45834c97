import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { MemberParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { changeMemberRole } from '../../../shared/orgs/members';
import type { OrganizationsDeps } from '../deps';
import { Role } from '../schemas';

export const updateMemberOperation = defineSignedInOperation(
  createRoute({
    method: 'patch',
    path: '/api/v1/organizations/{orgId}/users/{userId}',
    tags: ['Organizations'],
    summary: "Change a member's role (admins; the last admin cannot be demoted)",
    request: {
      params: MemberParam,
      body: { required: true, content: { 'application/json': { schema: z.object({ role: Role }) } } },
    },
    responses: {
      200: {
        description: 'Changed',
        content: { 'application/json': { schema: z.object({ userId: z.string(), role: Role }) } },
      },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId, userId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const actor = actorOf(c, deps.auth.trustProxy);
    const input = { orgId, userId, ...c.req.valid('json') };
    return c.json(await changeMemberRole(deps.orgs, actor, input), 200);
  },
);
