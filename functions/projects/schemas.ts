import { ProjectParams } from '../../shared/http/params';
import * as z from '../../shared/http/zod';
import { idSchema } from '../../shared/ids';
import { PROJECT_PRESET_ROLES } from '../../shared/workspaces/presets';
import { PolicyRule } from '../../shared/workspaces/roles';

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
export const ProjectNodeSchema: z.ZodType<Node> = ProjectBase.extend({
  children: z.lazy(() => z.array(ProjectNodeSchema)),
}).openapi('ProjectNode');

/** A project role: a custom role's id, or a preset by name (presets have no rows). */
export const RoleRef = z.union([idSchema('role'), z.enum(PROJECT_PRESET_ROLES)]);
export const RoleParams = ProjectParams.extend({
  roleId: RoleRef.openapi({ param: { name: 'roleId', in: 'path' }, example: 'role-abcdefghijklmnopqrst' }),
});
export const RoleName = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/, 'lowercase letters, digits, "-" and ".", at most 63');
// Rebuilt from the domain's schema rather than extended: it may be created before zod learns .openapi()
// (shared/http/zod), depending on which module a process imports first.
const PolicyRuleDoc = z.object(PolicyRule.shape).strict().openapi('PolicyRule');
export const Rules = z.array(PolicyRuleDoc).min(1).max(50);
export const RoleSchema = z
  .object({ id: z.string(), name: z.string(), preset: z.boolean(), rules: z.array(PolicyRule) })
  .openapi('ProjectRole');
