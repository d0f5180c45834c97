import { and, asc, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { isUniqueViolation } from '../db/errors';
import { groups, roleAssignments, roles } from '../db/schema';
import { ConflictError, NotFoundError } from '../errors';
import { newId } from '../ids';
import type { Actor } from '../orgs/context';
import type { WorkspaceAccess } from './access';
import { recordChange } from './changes';
import type { ProjectPresetRole, WorkspaceClusterRole } from './presets';

/*
 * Project role assignments and workspace-wide cluster-role assignments are rows of one table, listed, added and
 * removed the same way. What differs stays with their verbs (role-assignments.ts, cluster-roles.ts): which role
 * may be named, and the transaction around the change, since only cluster roles change who may do what.
 */

/** Where assignments are made: workspace-wide, or on projects. */
export type AssignmentPlace =
  | { scope: 'workspace'; workspaceId: string }
  | { scope: 'project'; projectIds: string[] };

const at = (place: AssignmentPlace) =>
  place.scope === 'workspace'
    ? and(eq(roleAssignments.scope, 'workspace'), eq(roleAssignments.workspaceId, place.workspaceId))
    : and(eq(roleAssignments.scope, 'project'), inArray(roleAssignments.projectId, place.projectIds));

export type AssignmentRow = {
  id: string;
  groupId: string;
  groupName: string;
  /** A custom role's id, or a preset's name. */
  roleId: string;
  /** A custom role's name, or a preset's name. */
  roleName: string;
  projectId: string | null;
  createdAt: string;
};

export async function assignmentsAt(db: Db, place: AssignmentPlace): Promise<AssignmentRow[]> {
  const found = await db
    .select({ a: roleAssignments, groupName: groups.name, customName: roles.name })
    .from(roleAssignments)
    .innerJoin(groups, eq(groups.id, roleAssignments.groupId))
    .leftJoin(roles, eq(roles.id, roleAssignments.roleId))
    .where(at(place))
    .orderBy(asc(groups.name), asc(roleAssignments.roleName));
  return found.map(({ a, groupName, customName }) => ({
    id: a.id,
    groupId: a.groupId,
    groupName,
    roleId: a.roleId ?? a.roleName!,
    roleName: customName ?? a.roleName!,
    projectId: a.projectId,
    createdAt: a.createdAt.toISOString(),
  }));
}

/** The same role twice for a group in one place breaks a unique index: 409 with the caller's wording. */
export async function assignOnce<T>(alreadyMessage: string, assign: () => Promise<T>): Promise<T> {
  try {
    return await assign();
  } catch (err) {
    if (isUniqueViolation(err)) throw new ConflictError(alreadyMessage, 'ALREADY_ASSIGNED', { cause: err });
    throw err;
  }
}

type AssignedRole =
  | { scope: 'workspace'; roleName: WorkspaceClusterRole }
  | { scope: 'project'; projectId: string; roleId: string }
  | { scope: 'project'; projectId: string; roleName: ProjectPresetRole };

/** Inserts an assignment for a group already found in the workspace, with its change record, in `tx`. */
export async function insertAssignment(
  tx: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  group: { id: string; name: string },
  role: AssignedRole,
  change: { action: string; data: Record<string, unknown> },
) {
  const id = newId('ra');
  const [row] = await tx
    .insert(roleAssignments)
    .values({ id, workspaceId: ws.workspaceId, groupId: group.id, ...role })
    .returning();
  await recordChange(tx, actor, ws, { ...change, targetType: 'assignment', targetId: id });
  return { id, groupId: group.id, groupName: group.name, createdAt: row!.createdAt.toISOString() };
}

/** Deletes an assignment only where it was made (404 elsewhere), with its change record, in `tx`. */
export async function deleteAssignment(
  tx: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  assignmentId: string,
  place: AssignmentPlace,
  change: { action: string; data?: Record<string, unknown> },
) {
  const gone = await tx
    .delete(roleAssignments)
    .where(and(eq(roleAssignments.id, assignmentId), at(place)))
    .returning({ id: roleAssignments.id });
  if (gone.length === 0) throw new NotFoundError('No such assignment.', 'ASSIGNMENT_NOT_FOUND');
  await recordChange(tx, actor, ws, { ...change, targetType: 'assignment', targetId: assignmentId });
}
