import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, idParam, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import { requireWorkspace } from '../../../shared/workspaces/access';
import {
  createProject,
  deleteProject,
  getProject,
  listProjects,
  projectTree,
} from '../../../shared/workspaces/projects';
import { WsParams } from '../../workspaces/schemas';
import type { ProjectsDeps } from '../app';

const ProjectBase = z.object({
  id: z.string(),
  name: z.string(),
  namespace: z.string(),
  parentId: z.string().nullable(),
  status: z.enum(['PENDING', 'ACTIVE', 'ERROR']).openapi({
    description:
      'ACTIVE once its namespace and objects exist in the vCluster; ERROR with statusMessage otherwise',
  }),
  statusMessage: z.string().nullable(),
  createdAt: z.string(),
});
export const ProjectSchema = ProjectBase.openapi('Project');
type Node = z.infer<typeof ProjectBase> & { children: Node[] };
const ProjectNode: z.ZodType<Node> = ProjectBase.extend({
  children: z.lazy(() => z.array(ProjectNode)),
}).openapi('ProjectNode');
const DnsLabel = z
  .string()
  .regex(
    /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/,
    'a DNS-1123 label: lowercase letters, digits and "-", at most 63',
  );
const ProjectParams = WsParams.extend({ projectId: idParam('projectId', 'prj') });

export const listProjectsOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/projects',
    tags: ['Projects'],
    summary: 'Projects (namespaces); ?hierarchical=true returns a tree',
    request: { params: WsParams, query: z.object({ hierarchical: z.enum(['true', 'false']).optional() }) },
    responses: {
      200: {
        description: 'Projects',
        content: {
          'application/json': {
            schema: z.object({ items: z.array(z.union([ProjectNode, ProjectSchema])), nextCursor: z.null() }),
          },
        },
      },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    const list = await listProjects(deps.db, wsId);
    return c.json(
      { items: c.req.valid('query').hierarchical === 'true' ? projectTree(list) : list, nextCursor: null },
      200,
    );
  },
);

export const createProjectOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/api/v1/workspaces/{wsId}/projects',
    tags: ['Projects'],
    summary: 'Create a project; its name is the namespace (workspace admins)',
    request: {
      params: WsParams,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({ name: DnsLabel, parentId: idSchema('prj').nullable().optional() }),
          },
        },
      },
    },
    responses: {
      201: { description: 'Created', content: { 'application/json': { schema: ProjectSchema } } },
      ...problems(401, 403, 404, 409, 422),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    return c.json(
      await createProject(deps.db, actorOf(c, deps.auth.trustProxy), ws, c.req.valid('json')),
      201,
    );
  },
);

export const getProjectOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/api/v1/workspaces/{wsId}/projects/{projectId}',
    tags: ['Projects'],
    summary: 'A project',
    request: { params: ProjectParams },
    responses: {
      200: { description: 'The project', content: { 'application/json': { schema: ProjectSchema } } },
      ...problems(401, 404),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId, projectId } = c.req.valid('param');
    await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'read');
    return c.json(await getProject(deps.db, wsId, projectId), 200);
  },
);

export const deleteProjectOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/api/v1/workspaces/{wsId}/projects/{projectId}',
    tags: ['Projects'],
    summary: 'Delete a project and its namespace (workspace admins; 409 with child projects)',
    request: { params: ProjectParams },
    responses: {
      204: { description: 'Deleted' },
      ...problems(401, 403, 404, 409),
    },
  }),
  (deps: ProjectsDeps) => async (c) => {
    const { wsId, projectId } = c.req.valid('param');
    const ws = await requireWorkspace(deps.authz, wsId, c.var.principal.userId, 'manage');
    await deleteProject(deps.db, actorOf(c, deps.auth.trustProxy), ws, projectId);
    return c.body(null, 204);
  },
);
