import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import { OrgParam } from '../../../shared/http/params';
import { listWorkspaces } from '../../../shared/workspaces/workspaces';
import type { WorkspacesDeps } from '../deps';
import { WorkspaceSchema } from '../schemas';

export const listWorkspacesOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/workspaces',
    tags: ['Workspaces'],
    summary: 'Workspaces: all for org admins, their own for other members',
    request: { params: OrgParam, query: PageQuery },
    responses: {
      200: {
        description: 'Workspaces',
        content: { 'application/json': { schema: pageOf(WorkspaceSchema) } },
      },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    const role = await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'member');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(
      await listWorkspaces(deps, actor, { orgId, orgAdmin: role === 'admin', page: c.req.valid('query') }),
      200,
    );
  },
);
