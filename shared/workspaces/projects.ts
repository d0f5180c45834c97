import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { prepared } from '../db/prepared';
import { plans, projects, workspaces } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { EVENTS } from '../events/catalog';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import type { WorkspacesContext } from './context';

export type ProjectView = {
  id: string;
  name: string;
  namespace: string;
  parentId: string | null;
  status: 'PENDING' | 'ACTIVE' | 'ERROR';
  statusMessage: string | null;
  createdAt: string;
};
export type ProjectNode = ProjectView & { children: ProjectNode[] };

/** Namespaces Kubernetes or Hexabase itself owns inside every vCluster. */
export function reservedProjectName(name: string): boolean {
  return (
    name === 'default' ||
    name.startsWith('kube-') ||
    name.startsWith('hexabase-') ||
    name.startsWith('vcluster-')
  );
}

const view = (p: typeof projects.$inferSelect): ProjectView => ({
  id: p.id,
  name: p.name,
  namespace: p.name,
  parentId: p.parentId,
  status: p.status as ProjectView['status'],
  statusMessage: p.statusMessage,
  createdAt: p.createdAt.toISOString(),
});

export const projectNotFound = () => new NotFoundError('No such project.', 'PROJECT_NOT_FOUND');

const projectsOf = (db: Db) =>
  prepared(db, 'projects_of_workspace', (d) =>
    d
      .select()
      .from(projects)
      .where(eq(projects.workspaceId, sql.placeholder('wsId')))
      .orderBy(asc(projects.name))
      .prepare('projects_of_workspace'),
  );

async function projectIn(db: Db, wsId: string, projectId: string): Promise<ProjectView> {
  const [p] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.workspaceId, wsId), eq(projects.id, projectId)));
  if (!p) throw projectNotFound();
  return view(p);
}

/** Flat in name order, or as a tree of roots whose children are in name order. */
export async function listProjects(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess; hierarchical?: boolean },
): Promise<ProjectView[] | ProjectNode[]> {
  const list = (await projectsOf(ctx.db).execute({ wsId: input.ws.workspaceId })).map(view);
  return input.hierarchical ? projectTree(list) : list;
}

function projectTree(list: ProjectView[]): ProjectNode[] {
  const nodes = new Map<string, ProjectNode>(list.map((p) => [p.id, { ...p, children: [] }]));
  const roots: ProjectNode[] = [];
  for (const n of nodes.values()) (n.parentId ? nodes.get(n.parentId)?.children : roots)?.push(n);
  return roots;
}

export function getProject(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { ws: WorkspaceAccess; projectId: string },
): Promise<ProjectView> {
  return projectIn(ctx.db, input.ws.workspaceId, input.projectId);
}

/** A project's namespace appears or goes in the vCluster: the provisioner hears a project event, not rbac.changed. */
const projectEvents = { created: EVENTS.projectCreated.type, deleted: EVENTS.projectDeleted.type };
const projectChanged = (
  tx: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  p: { id: string; name: string },
  what: keyof typeof projectEvents,
) =>
  recordChange(tx, actor, ws, {
    action: `project.${what}`,
    targetType: 'project',
    targetId: p.id,
    data: { name: p.name },
    event: projectEvents[what],
  });

/** Creates a project (a namespace in the vCluster) within the plan's project cap; the same name twice is 409. */
export async function createProject(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; name: string; parentId?: string | null | undefined },
): Promise<ProjectView> {
  const { ws, name, parentId } = input;
  if (reservedProjectName(name)) {
    throw new RuleViolationError(
      `"${name}" is reserved for the system; choose another name.`,
      'RESERVED_NAME',
    );
  }
  try {
    return await ctx.db.transaction(async (tx) => {
      // The workspace row lock serialises concurrent creations, so the cap holds.
      const [w] = await tx.select().from(workspaces).where(eq(workspaces.id, ws.workspaceId)).for('update');
      const [plan] = await tx.select().from(plans).where(eq(plans.id, w!.planId));
      const [n] = await tx
        .select({ n: count() })
        .from(projects)
        .where(eq(projects.workspaceId, ws.workspaceId));
      if (parentId) await projectIn(tx, ws.workspaceId, parentId);
      const [p] = await tx
        .insert(projects)
        .values({
          id: newId('prj'),
          workspaceId: ws.workspaceId,
          name,
          parentId: parentId ?? null,
          createdBy: actor.userId,
        })
        .returning();
      if (n!.n >= plan!.maxProjects) {
        throw new RuleViolationError(
          `The ${plan!.name} plan allows ${plan!.maxProjects} projects per workspace; upgrade the plan to add more.`,
          'PLAN_LIMIT_REACHED',
        );
      }
      await projectChanged(tx, actor, ws, p!, 'created');
      return view(p!);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError(
        `A project named "${name}" already exists in this workspace.`,
        'PROJECT_NAME_TAKEN',
        { cause: err },
      );
    throw err;
  }
}

export async function deleteProject(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; projectId: string },
): Promise<void> {
  const { ws, projectId } = input;
  await ctx.db.transaction(async (tx) => {
    // Under the lock creations take, a child created meanwhile is a 409 here, not a foreign-key error.
    await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.id, ws.workspaceId))
      .for('update');
    const p = await projectIn(tx, ws.workspaceId, projectId);
    const [children] = await tx.select({ n: count() }).from(projects).where(eq(projects.parentId, projectId));
    if (children!.n > 0)
      throw new ConflictError('The project has child projects; delete them first.', 'PROJECT_HAS_CHILDREN');
    await tx.delete(projects).where(eq(projects.id, projectId));
    await projectChanged(tx, actor, ws, p, 'deleted');
  });
}
