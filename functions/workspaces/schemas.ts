import * as z from '../../shared/http/zod';
import { idSchema } from '../../shared/ids';

export const GroupName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,63}$/, 'letters, digits, ".", "_" and "-", at most 63');
/** Absent: unchanged (a new group is a root); null: a root. */
export const ParentGroupId = idSchema('grp').nullable().optional();

export const DedicatedNodeConfig = z
  .object({
    nodeCount: z.number().int().min(1).max(100),
    instanceType: z.string().min(1).max(100).optional(),
    labels: z.record(z.string().max(63), z.string().max(63)).optional(),
  })
  .strict()
  .openapi('DedicatedNodeConfig');

export const AcceptedTask = z
  .object({ taskId: z.string(), workspaceId: z.string(), name: z.string(), status: z.string() })
  .openapi('AcceptedTask');

/** Lifecycle requests (create, change plan, delete) answer before the provisioner acts. */
export const acceptedResponse = {
  202: {
    description: 'Accepted; follow the task',
    content: { 'application/json': { schema: AcceptedTask } },
  },
};

/** Adding someone to the workspace or to one of its groups names them by user id. */
export const UserIdBody = {
  required: true,
  content: { 'application/json': { schema: z.object({ userId: idSchema('usr') }) } },
};

export const WorkspaceSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    organizationId: z.string(),
    planId: z.string(),
    status: z.string(),
    statusMessage: z.string().nullable(),
    conditions: z.array(z.unknown()),
    endpoint: z.string().nullable(),
    dedicatedNodeConfig: DedicatedNodeConfig.nullable(),
    createdAt: z.string(),
  })
  .openapi('Workspace');

const GroupBase = z.object({
  id: z.string(),
  name: z.string(),
  parentId: z.string().nullable(),
  isDefault: z.boolean(),
});
export type GroupTreeT = z.infer<typeof GroupBase> & { children: GroupTreeT[] };
export const GroupSchema = GroupBase.openapi('Group');
export const GroupTreeSchema: z.ZodType<GroupTreeT> = GroupBase.extend({
  children: z.lazy(() => z.array(GroupTreeSchema)),
}).openapi('GroupTree');
