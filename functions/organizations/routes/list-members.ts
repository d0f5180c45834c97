import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { listMembers } from '../../../shared/orgs/members';
import type { OrganizationsDeps } from '../deps';
import { InvitationSchema, MemberSchema } from '../schemas';

export const listMembersOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/users',
    tags: ['Organizations'],
    summary: 'Members and pending invitations (members)',
    request: { params: OrgParam, query: PageQuery },
    responses: {
      200: {
        description: 'Members (paged) and pending invitations',
        content: {
          'application/json': {
            schema: pageOf(MemberSchema).extend({ pendingInvitations: z.array(InvitationSchema) }),
          },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'member');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await listMembers(deps.orgs, actor, { orgId, ...c.req.valid('query') }), 200);
  },
);
