import { and, asc, count, eq, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { prepared } from '../db/prepared';
import { plans, projects, workspaces } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';

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

export async function listProjects(db: Db, wsId: string): Promise<ProjectView[]> {
  return (await projectsOf(db).execute({ wsId })).map(view);
}

export function projectTree(list: ProjectView[]): ProjectNode[] {
  const nodes = new Map<string, ProjectNode>(list.map((p) => [p.id, { ...p, children: [] }]));
  const roots: ProjectNode[] = [];
  for (const n of nodes.values()) (n.parentId ? nodes.get(n.parentId)?.children : roots)?.push(n);
  return roots;
}

export async function getProject(db: Db, wsId: string, projectId: string): Promise<ProjectView> {
  const [p] = await db
    .select()
    .from(projects)
    .where(and(eq(projects.workspaceId, wsId), eq(projects.id, projectId)));
  if (!p) throw projectNotFound();
  return view(p);
}

/** Creates a project (a namespace in the vCluster) within the plan's project cap; the same name twice is 409. */
export async function createProject(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  input: { name: string; parentId?: string | null },
) {
  if (reservedProjectName(input.name)) {
    throw new RuleViolationError(
      `"${input.name}" is reserved for the system; choose another name.`,
      'RESERVED_NAME',
    );
  }
  try {
    return await db.transaction(async (tx) => {
      const [w] = await tx.select().from(workspaces).where(eq(workspaces.id, ws.workspaceId)).for('update');
      const [plan] = await tx.select().from(plans).where(eq(plans.id, w!.planId));
      const [n] = await tx
        .select({ n: count() })
        .from(projects)
        .where(eq(projects.workspaceId, ws.workspaceId));
      if (input.parentId) await getProject(tx, ws.workspaceId, input.parentId);
      const id = newId('prj');
      const [p] = await tx
        .insert(projects)
        .values({
          id,
          workspaceId: ws.workspaceId,
          name: input.name,
          parentId: input.parentId ?? null,
          createdBy: actor.userId,
        })
        .returning();
      if (n!.n >= plan!.maxProjects) {
        throw new RuleViolationError(
          `The ${plan!.name} plan allows ${plan!.maxProjects} projects per workspace; upgrade the plan to add more.`,
          'PLAN_LIMIT_REACHED',
        );
      }
      await recordChange(tx, actor, ws, {
        action: 'project.created',
        targetType: 'project',
        targetId: id,
        data: { name: input.name },
        event: 'ai.hexabase.project.created',
      });
      return view(p!);
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError(
        `A project named "${input.name}" already exists in this workspace.`,
        'PROJECT_NAME_TAKEN',
      );
    throw err;
  }
}

export async function deleteProject(db: Db, actor: Actor, ws: WorkspaceAccess, projectId: string) {
  await db.transaction(async (tx) => {
    await tx
      .select({ id: workspaces.id })
      .from(workspaces)
      .where(eq(workspaces.id, ws.workspaceId))
      .for('update');
    const p = await getProject(tx, ws.workspaceId, projectId);
    const [children] = await tx.select({ n: count() }).from(projects).where(eq(projects.parentId, projectId));
    if (children!.n > 0)
      throw new ConflictError('The project has child projects; delete them first.', 'PROJECT_HAS_CHILDREN');
    await tx.delete(projects).where(eq(projects.id, projectId));
    await recordChange(tx, actor, ws, {
      action: 'project.deleted',
      targetType: 'project',
      targetId: projectId,
      data: { name: p.name },
      event: 'ai.hexabase.project.deleted',
    });
  });
}
