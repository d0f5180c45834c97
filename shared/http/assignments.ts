import { idSchema } from '../ids';
import * as z from './zod';

/*
 * Role assignments are made on a project (functions/projects) or workspace-wide with a cluster role
 * (functions/workspaces). Both give a group of the workspace a role, so their routes share these pieces and the two
 * APIs cannot drift apart; only the fields that name the role differ.
 */

const assignmentSchema = <R extends z.ZodRawShape>(name: string, role: R) =>
  z
    .object({ id: z.string(), groupId: z.string(), groupName: z.string(), ...role, createdAt: z.string() })
    .openapi(name);

export const RoleAssignmentSchema = assignmentSchema('RoleAssignment', {
  roleId: z.string(),
  roleName: z.string(),
  projectId: z.string(),
  inheritedFrom: z
    .string()
    .nullable()
    .openapi({ description: 'The ancestor project the assignment is made on' }),
});

export const ClusterRoleAssignmentSchema = assignmentSchema('ClusterRoleAssignment', {
  clusterRoleName: z.string(),
});

/** The request body: a group of the workspace and the role to give it. */
export const assignmentBody = <R extends z.ZodRawShape>(role: R) => ({
  required: true,
  content: { 'application/json': { schema: z.object({ groupId: idSchema('grp'), ...role }) } },
});
