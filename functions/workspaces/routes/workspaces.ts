import { actorOf } from '../../../shared/auth/middleware';
import { requireOrgRole } from '../../../shared/authz';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import * as z from '../../../shared/http/zod';
import { requireWorkspace, workspaceNotFound } from '../../../shared/workspaces/access';
import {
  changeWorkspacePlan,
  createWorkspace,
  getWorkspace,
  listWorkspaces,
  requestWorkspaceDeletion,
} from '../../../shared/workspaces/workspaces';
import type { WorkspacesDeps } from '../app';
import { AcceptedTask, DedicatedNodeConfig, OrgWsIdParams, OrgWsParams, WorkspaceSchema } from '../schemas';

const accepted = {
  202: {
    description: 'Accepted; follow the task',
    content: { 'application/json': { schema: AcceptedTask } },
  },
};
const WsName = z
  .string()
  .trim()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9 ._-]{0,62}$/,
    'starts with a letter or digit; letters, digits, space, ".", "_", "-"; at most 63',
  );

/** A workspace id under another organization's path is as unknown as a missing one. */
async function inOrg(
  deps: WorkspacesDeps,
  orgId: string,
  wsId: string,
  userId: string,
  need: 'read' | 'lifecycle',
) {
  const a = await requireWorkspace(deps.authz, wsId, userId, need);
  if (a.organizationId !== orgId) throw workspaceNotFound();
  return a;
}

export const createWorkspaceOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/organizations/{orgId}/workspaces',
    tags: ['Workspaces'],
    summary: 'Create a workspace (a vCluster) with a plan (org admins)',
    request: {
      params: OrgWsParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              name: WsName,
              planId: z.string().min(1).max(64),
              dedicatedNodeConfig: DedicatedNodeConfig.optional(),
            }),
          },
        },
      },
    },
    responses: {
      ...accepted,
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId } = c.req.valid('param');
    await requireOrgRole(deps.authz, orgId, c.var.principal.userId, 'admin');
    return c.json(
      await createWorkspace(
        deps.db,
        actorOf(c, deps.auth.trustProxy),
        orgId,
        c.req.valid('json'),
        deps.nodes,
      ),
      202,
    );
  },
);

export const listWorkspacesOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/organizations/{orgId}/workspaces',
    tags: ['Workspaces'],
    summary: 'Workspaces: all for org admins, their own for other members',
    request: { params: OrgWsParams, query: PageQuery },
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
    const userId = c.var.principal.userId;
    const role = await requireOrgRole(deps.authz, orgId, userId, 'member');
    return c.json(
      await listWorkspaces(deps.db, orgId, { userId, orgAdmin: role === 'admin' }, c.req.valid('query')),
      200,
    );
  },
);

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
    await inOrg(deps, orgId, wsId, c.var.principal.userId, 'read');
    return c.json(await getWorkspace(deps.db, orgId, wsId), 200);
  },
);

export const changePlanOperation = defineSignedInOperation(
  createRoute({
    method: 'put',
    path: '/api/v1/organizations/{orgId}/workspaces/{wsId}',
    tags: ['Workspaces'],
    summary: 'Change the plan or dedicated nodes (org admins)',
    request: {
      params: OrgWsIdParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z
              .object({
                planId: z.string().min(1).max(64).optional(),
                dedicatedNodeConfig: DedicatedNodeConfig.nullable().optional(),
              })
              .refine(
                (b) => b.planId !== undefined || b.dedicatedNodeConfig !== undefined,
                'give planId or dedicatedNodeConfig',
              ),
          },
        },
      },
    },
    responses: {
      ...accepted,
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId, wsId } = c.req.valid('param');
    await inOrg(deps, orgId, wsId, c.var.principal.userId, 'lifecycle');
    return c.json(
      await changeWorkspacePlan(
        deps.db,
        actorOf(c, deps.auth.trustProxy),
        orgId,
        wsId,
        c.req.valid('json'),
        deps.nodes,
      ),
      202,
    );
  },
);

export const deleteWorkspaceOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/organizations/{orgId}/workspaces/{wsId}',
    tags: ['Workspaces'],
    summary: 'Delete a workspace and its vCluster (org admins); repeat calls return the same task',
    request: { params: OrgWsIdParams },
    responses: { ...accepted, ...problems(401, 403, 404) },
  }),
  (deps: WorkspacesDeps) => async (c) => {
    const { orgId, wsId } = c.req.valid('param');
    await inOrg(deps, orgId, wsId, c.var.principal.userId, 'lifecycle');
    return c.json(
      await requestWorkspaceDeletion(deps.db, actorOf(c, deps.auth.trustProxy), orgId, wsId),
      202,
    );
  },
);
