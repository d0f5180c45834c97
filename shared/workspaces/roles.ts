import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { roles } from '../db/schema';
import { ConflictError, NotFoundError, RuleViolationError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import type { WorkspacesContext } from './context';
import type { PolicyRuleT } from './policy-rule';
import { PROJECT_PRESET_ROLES, PROJECT_PRESET_RULES, type ProjectPresetRole } from './presets';

export { PolicyRule, type PolicyRuleT } from './policy-rule';

export type RoleView = { id: string; name: string; preset: boolean; rules: PolicyRuleT[] };

/** Presets are named by their name where a custom role is named by its id; they have no rows. */
export const isPresetRole = (roleId: string): roleId is ProjectPresetRole =>
  (PROJECT_PRESET_ROLES as readonly string[]).includes(roleId);

const presets = (): RoleView[] =>
  PROJECT_PRESET_ROLES.map((name) => ({
    id: name,
    name,
    preset: true,
    rules: PROJECT_PRESET_RULES[name] as PolicyRuleT[],
  }));

const customView = (r: typeof roles.$inferSelect): RoleView => ({
  id: r.id,
  name: r.name,
  preset: false,
  rules: r.rules as PolicyRuleT[],
});

/** A custom role of the project, or undefined: callers decide whether that is a 404 or a rule violation. */
export async function findCustomRole(db: Db, projectId: string, roleId: string) {
  const [r] = await db
    .select()
    .from(roles)
    .where(and(eq(roles.projectId, projectId), eq(roles.id, roleId)));
  return r;
}

const roleNotFound = () => new NotFoundError('No such role.', 'ROLE_NOT_FOUND');
const readOnly = () => new RuleViolationError('Preset roles cannot be changed.', 'PRESET_ROLE');
const taken = (name: string, cause: unknown) =>
  new ConflictError(`A role named "${name}" already exists in this project.`, 'ROLE_NAME_TAKEN', { cause });

export async function listRoles(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { projectId: string },
): Promise<RoleView[]> {
  const custom = await ctx.db
    .select()
    .from(roles)
    .where(eq(roles.projectId, input.projectId))
    .orderBy(asc(roles.name));
  return [...presets(), ...custom.map(customView)];
}

export async function getRole(
  ctx: Pick<WorkspacesContext, 'db'>,
  _actor: Actor,
  input: { projectId: string; roleId: string },
): Promise<RoleView> {
  const preset = presets().find((p) => p.id === input.roleId);
  if (preset) return preset;
  const r = await findCustomRole(ctx.db, input.projectId, input.roleId);
  if (!r) throw roleNotFound();
  return customView(r);
}

export async function createRole(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; projectId: string; name: string; rules: PolicyRuleT[] },
): Promise<RoleView> {
  const { ws, projectId, name, rules } = input;
  try {
    return await ctx.db.transaction(async (tx) => {
      const id = newId('role');
      await tx.insert(roles).values({ id, workspaceId: ws.workspaceId, projectId, name, rules });
      await recordChange(tx, actor, ws, {
        action: 'role.created',
        targetType: 'role',
        targetId: id,
        data: { projectId, name },
      });
      return { id, name, preset: false, rules };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(name, err);
    throw err;
  }
}

export async function updateRole(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: {
    ws: WorkspaceAccess;
    projectId: string;
    roleId: string;
    name?: string | undefined;
    rules: PolicyRuleT[];
  },
): Promise<RoleView> {
  const { ws, projectId, roleId, name, rules } = input;
  if (isPresetRole(roleId)) throw readOnly();
  try {
    return await ctx.db.transaction(async (tx) => {
      const [r] = await tx
        .update(roles)
        .set({ ...(name ? { name } : {}), rules, updatedAt: new Date() })
        .where(and(eq(roles.projectId, projectId), eq(roles.id, roleId)))
        .returning();
      if (!r) throw roleNotFound();
      await recordChange(tx, actor, ws, {
        action: 'role.updated',
        targetType: 'role',
        targetId: roleId,
        data: { projectId },
      });
      return customView(r);
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw taken(name ?? '', err);
    throw err;
  }
}

/** Deleting a custom role removes its assignments too (foreign-key cascade), in the same transaction. */
export async function deleteRole(
  ctx: Pick<WorkspacesContext, 'db'>,
  actor: Actor,
  input: { ws: WorkspaceAccess; projectId: string; roleId: string },
): Promise<void> {
  const { ws, projectId, roleId } = input;
  if (isPresetRole(roleId)) throw readOnly();
  await ctx.db.transaction(async (tx) => {
    const gone = await tx
      .delete(roles)
      .where(and(eq(roles.projectId, projectId), eq(roles.id, roleId)))
      .returning({ id: roles.id });
    if (gone.length === 0) throw roleNotFound();
    await recordChange(tx, actor, ws, {
      action: 'role.deleted',
      targetType: 'role',
      targetId: roleId,
      data: { projectId },
    });
  });
}
