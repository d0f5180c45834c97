import { idParam } from '../../shared/http/openapi';
import * as z from '../../shared/http/zod';

export const OrgWsParams = z.object({ orgId: idParam('orgId', 'org') });
export const OrgWsIdParams = OrgWsParams.extend({ wsId: idParam('wsId', 'ws') });
export const WsParams = z.object({ wsId: idParam('wsId', 'ws') });
export const GroupParams = WsParams.extend({ groupId: idParam('groupId', 'grp') });

export const GroupName = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,63}$/, 'letters, digits, ".", "_" and "-", at most 63');

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
