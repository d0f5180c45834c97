import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgWsIdParams } from '../../../shared/http/params';
import { requireOrgWorkspace } from '../../../shared/workspaces/access';
import { getWorkspace } from '../../../shared/workspaces/workspaces';
import type { WorkspacesDeps } from '../deps';
import { WorkspaceSchema } from '../schemas';

export const getWorkspaceOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/workspaces/{wsId}',
    tags: ['Workspaces'],
    summary: 'A workspace with its status and conditions (members, org admins)',
    request: { params: OrgWsIdParams },
    responses: {
      200: { description: 'The workspace', content: { 'application/json': { schema: WorkspaceSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId, wsId } = c.req.valid('param');
    await requireOrgWorkspace(deps.authz, orgId, wsId, c.var.principal.userId, 'read');
    return c.json(await getWorkspace(deps, actorOf(c, deps.auth.trustProxy), { orgId, wsId }), 200);
  },
);
