import { actorOf } from '../../../shared/auth/middleware';
import { ForbiddenError } from '../../../shared/errors';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { OrgWsIdParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import { requireOrgWorkspace } from '../../../shared/workspaces/access';
import { workspaceKubeconfig } from '../../../shared/workspaces/kubeconfig';
import type { WorkspacesDeps } from '../deps';

export const getKubeconfigOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/workspaces/{wsId}/kubeconfig',
    tags: ['Workspaces'],
    summary: 'A kubeconfig for kubectl (workspace members)',
    description:
      'mode=exec (default): the hxb exec credential plugin fetches short-lived workspace tokens. mode=token: a short-lived ID token is embedded.',
    request: { params: OrgWsIdParams, query: z.object({ mode: z.enum(['exec', 'token']).default('exec') }) },
    responses: {
      200: { description: 'Kubeconfig', content: { 'application/yaml': { schema: z.string() } } },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId, wsId } = c.req.valid('param');
    const a = await requireOrgWorkspace(deps.authz, orgId, wsId, c.var.principal.userId, 'read');
    // Org admins may see the workspace but get no Kubernetes identity in it unless they are members.
    if (!a.member)
      throw new ForbiddenError('Only workspace members can use kubectl here.', 'WORKSPACE_MEMBER_REQUIRED');
    const yaml = await workspaceKubeconfig(
      {
        auth: deps.auth.auth,
        publicUrl: deps.auth.publicUrl,
        ttlSeconds: deps.auth.workspaceTokenTtlSeconds,
        cli: deps.auth.cli,
      },
      actorOf(c, deps.auth.trustProxy),
      { wsId, mode: c.req.valid('query').mode },
    );
    return c.body(yaml, 200, { 'content-type': 'application/yaml' });
  },
);
