import * as z from 'zod';

/**
 * The PolicyRule schema alone, without the roles' database code: the API validates with it, and the console's
 * rule editor is tested against it (functions/console/policy-rules.test.ts), so both accept the same rules.
 */
export const VERBS = [
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
