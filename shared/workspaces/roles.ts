import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import * as z from 'zod';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { rows } from '../db/raw';
import { groups, roleAssignments, roles } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import { assignableGroup } from './groups';
import { PROJECT_PRESET_ROLES, PROJECT_PRESET_RULES, type ProjectPresetRole } from './presets';

const VERBS = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  '*',
] as const;

/** A Kubernetes PolicyRule as a namespaced Role accepts it; nonResourceURLs only exist on ClusterRoles. */
export const PolicyRule = z
  .object({
    apiGroups: z.array(z.string().max(253)).min(1),
    resources: z.array(z.string().min(1).max(253)).min(1),
    verbs: z.array(z.enum(VERBS)).min(1),
    resourceNames: z.array(z.string().min(1).max(253)).optional(),
  })
  .strict();
export type PolicyRuleT = z.infer<typeof PolicyRule>;

export type RoleView = { id: string; name: string; preset: boolean; rules: PolicyRuleT[] };

const presets = (): RoleView[] =>
  PROJECT_PRESET_ROLES.map((name) => ({
    id: name,
    name,
    preset: true,
    rules: PROJECT_PRESET_RULES[name] as PolicyRuleT[],
  }));

const roleNotFound = () => new NotFoundError('No such role.', 'ROLE_NOT_FOUND');

export async function listRoles(db: Db, projectId: string): Promise<RoleView[]> {
  const custom = await db.select().from(roles).where(eq(roles.projectId, projectId)).orderBy(asc(roles.name));
  return [
    ...presets(),
    ...custom.map((r) => ({ id: r.id, name: r.name, preset: false, rules: r.rules as PolicyRuleT[] })),
  ];
}

export async function getRole(db: Db, projectId: string, roleId: string): Promise<RoleView> {
  const preset = presets().find((p) => p.id === roleId);
  if (preset) return preset;
  const [r] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.projectId, projectId), eq(roles.id, roleId)));
  if (!r) throw roleNotFound();
  return { id: r.id, name: r.name, preset: false, rules: r.rules as PolicyRuleT[] };
}

const readOnly = () => new RuleViolationError('Preset roles cannot be changed.', 'PRESET_ROLE');
const taken = (name: string) =>
  new ConflictError(`A role named "${name}" already exists in this project.`, 'ROLE_NAME_TAKEN');

export async function createRole(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  projectId: string,
  input: { name: string; rules: PolicyRuleT[] },
) {
  try {
    return await db.transaction(async (tx) => {
      const id = newId('role');
      await tx
        .insert(roles)
        .values({ id, workspaceId: ws.workspaceId, projectId, name: input.name, rules: input.rules });
      await recordChange(tx, actor, ws, {
        action: 'role.created',
        targetType: 'role',
        targetId: id,
        data: { projectId, name: input.name },
      });
      return { id, name: input.name, preset: false, rules: input.rules };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(input.name);
    throw err;
  }
}

export async function updateRole(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  projectId: string,
  roleId: string,
  input: { name?: string; rules: PolicyRuleT[] },
) {
  if ((PROJECT_PRESET_ROLES as readonly string[]).includes(roleId)) throw readOnly();
  try {
    return await db.transaction(async (tx) => {
      const [r] = await tx
        .update(roles)
        .set({ ...(input.name ? { name: input.name } : {}), rules: input.rules, updatedAt: new Date() })
        .where(and(eq(roles.projectId, projectId), eq(roles.id, roleId)))
        .returning();
      if (!r) throw roleNotFound();
      await recordChange(tx, actor, ws, {
        action: 'role.updated',
        targetType: 'role',
        targetId: roleId,
        data: { projectId },
      });
      return { id: r.id, name: r.name, preset: false, rules: r.rules as PolicyRuleT[] };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(input.name ?? '');
    throw err;
  }
}

/** Deleting a custom role removes its assignments too (foreign-key cascade), in the same transaction. */
export async function deleteRole(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  projectId: string,
  roleId: string,
) {
  if ((PROJECT_PRESET_ROLES as readonly string[]).includes(roleId)) throw readOnly();
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(roles)
      .where(and(eq(roles.projectId, projectId), eq(roles.id, roleId)))
      .returning();
    if (gone.length === 0) throw roleNotFound();
    await recordChange(tx, actor, ws, {
      action: 'role.deleted',
      targetType: 'role',
      targetId: roleId,
      data: { projectId },
    });
  });
}

export type RoleAssignmentView = {
  id: string;
  groupId: string;
  groupName: string;
  roleId: string;
  roleName: string;
  projectId: string;
  /** Set when the assignment is made on an ancestor project and applies here by inheritance. */
  inheritedFrom: string | null;
  createdAt: string;
};

/** Own assignments and those inherited from every ancestor project (nearest first). */
export async function listRoleAssignments(db: Db, projectId: string): Promise<RoleAssignmentView[]> {
  const chain = await rows<{ id: string; depth: number }>(
    db,
    sql`with recursive up(id, parent_id, depth) as (
          select id, parent_id, 0 from projects where id = ${projectId}
          union all select p.id, p.parent_id, up.depth + 1 from projects p join up on p.id = up.parent_id where up.depth < 100)
        select id, depth from up`,
  );
  if (chain.length === 0) return [];
  const depth = new Map(chain.map((c) => [c.id, c.depth]));
  const found = await db
    .select({ a: roleAssignments, groupName: groups.name, customName: roles.name })
    .from(roleAssignments)
    .innerJoin(groups, eq(groups.id, roleAssignments.groupId))
    .leftJoin(roles, eq(roles.id, roleAssignments.roleId))
    .where(
      and(
        eq(roleAssignments.scope, 'project'),
        inArray(
          roleAssignments.projectId,
          chain.map((c) => c.id),
        ),
      ),
    );
  return found
    .map(({ a, groupName, customName }) => ({
      id: a.id,
      groupId: a.groupId,
      groupName,
      roleId: a.roleId ?? a.roleName!,
      roleName: customName ?? a.roleName!,
      projectId,
      inheritedFrom: a.projectId === projectId ? null : a.projectId,
      createdAt: a.createdAt.toISOString(),
    }))
    .sort(
      (x, y) =>
        (depth.get(x.inheritedFrom ?? projectId) ?? 0) - (depth.get(y.inheritedFrom ?? projectId) ?? 0) ||
        x.groupName.localeCompare(y.groupName),
    );
}

export async function assignRole(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  projectId: string,
  input: { groupId: string; roleId: string },
) {
  try {
    return await db.transaction(async (tx) => {
      const g = await assignableGroup(tx, ws.workspaceId, input.groupId);
      const isPreset = (PROJECT_PRESET_ROLES as readonly string[]).includes(input.roleId);
      let roleName = input.roleId;
      if (!isPreset) {
        const [r] = await tx
          .select()
          .from(roles)
          .where(and(eq(roles.projectId, projectId), eq(roles.id, input.roleId)));
        if (!r) throw new RuleViolationError('The role does not exist in this project.', 'UNKNOWN_ROLE');
        roleName = r.name;
      }
      const id = newId('ra');
      const [row] = await tx
        .insert(roleAssignments)
        .values({
          id,
          workspaceId: ws.workspaceId,
          groupId: g.id,
          scope: 'project',
          projectId,
          ...(isPreset ? { roleName: input.roleId as ProjectPresetRole } : { roleId: input.roleId }),
        })
        .returning();
      await recordChange(tx, actor, ws, {
        action: 'role.assigned',
        targetType: 'assignment',
        targetId: id,
        data: { projectId, ...input },
      });
      return {
        id,
        groupId: g.id,
        groupName: g.name,
        roleId: input.roleId,
        roleName,
        projectId,
        inheritedFrom: null,
        createdAt: row!.createdAt.toISOString(),
      };
    });
  } catch (err) {
    if (isUniqueViolation(err))
      throw new ConflictError('The group already has this role in this project.', 'ALREADY_ASSIGNED');
    throw err;
  }
}

export async function unassignRole(
  db: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  projectId: string,
  assignmentId: string,
) {
  await db.transaction(async (tx) => {
    const gone = await tx
      .delete(roleAssignments)
      .where(
        and(
          eq(roleAssignments.id, assignmentId),
          eq(roleAssignments.projectId, projectId),
          eq(roleAssignments.scope, 'project'),
        ),
      )
      .returning();
    if (gone.length === 0) throw new NotFoundError('No such assignment.', 'ASSIGNMENT_NOT_FOUND');
    await recordChange(tx, actor, ws, {
      action: 'role.unassigned',
      targetType: 'assignment',
      targetId: assignmentId,
      data: { projectId },
    });
  });
}
