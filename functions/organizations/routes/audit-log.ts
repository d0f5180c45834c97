import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { Instant, PageQuery, pageOf } from '../../../shared/http/pagination';
import { OrgParam } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { listAuditLog } from '../../../shared/orgs/audit-log';
import type { OrganizationsDeps } from '../deps';

const Entry = z
  .object({
    id: z.string(),
    action: z.string(),
    actorId: z.string().nullable(),
    targetType: z.string(),
    targetId: z.string().nullable(),
    workspaceId: z.string().nullable(),
    data: z.unknown(),
    requestId: z.string().nullable(),
    ip: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('AuditEntry');

export const auditLogOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/audit-log',
    tags: ['Organizations'],
    summary: 'Audit log, newest first (admins)',
    request: {
      params: OrgParam,
      query: PageQuery.extend({
        actor: idSchema('usr').optional().openapi({ description: 'Only entries by this user id' }),
        action: z.string().max(100).optional().openapi({ example: 'member.role_changed' }),
        since: Instant.optional().openapi({ description: 'RFC 3339, inclusive' }),
        until: Instant.optional().openapi({ description: 'RFC 3339, inclusive' }),
      }),
    },
    responses: {
      200: { description: 'Entries', content: { 'application/json': { schema: pageOf(Entry) } } },
      ...problems(401, 403, 404),
    },
  }),
  (deps: OrganizationsDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    const { actor: actorId, action, since, until, ...page } = c.req.valid('query');
    const input = {
      orgId,
      ...page,
      ...(actorId ? { actorId } : {}),
      ...(action ? { action } : {}),
      ...(since ? { since: new Date(since) } : {}),
      ...(until ? { until: new Date(until) } : {}),
    };
    return c.json(await listAuditLog(deps.orgs, actorOf(c, deps.auth.trustProxy), input), 200);
  },
);
