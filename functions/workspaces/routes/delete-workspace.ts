import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgWsIdParams } from '../../../shared/http/params';
import { requireOrgWorkspace } from '../../../shared/workspaces/access';
import { requestWorkspaceDeletion } from '../../../shared/workspaces/workspaces';
import type { WorkspacesDeps } from '../deps';
import { acceptedResponse } from '../schemas';

export const deleteWorkspaceOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/organizations/{orgId}/workspaces/{wsId}',
    tags: ['Workspaces'],
    summary: 'Delete a workspace and its vCluster (org admins); repeat calls return the same task',
    request: { params: OrgWsIdParams },
    responses: { ...acceptedResponse, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId, wsId } = c.req.valid('param');
    await requireOrgWorkspace(deps.authz, orgId, wsId, c.var.principal.userId, 'lifecycle');
    const actor = actorOf(c, deps.auth.trustProxy);
    return c.json(await requestWorkspaceDeletion(deps, actor, { orgId, wsId }), 202);
  },
);
