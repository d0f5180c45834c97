import type { components } from '../api/schema';

export type PolicyRule = components['schemas']['PolicyRule'];
type Verb = PolicyRule['verbs'][number];
export const VERBS: Verb[] = [
  'get',
  'list',
  'watch',
  'create',
  'update',
  'patch',
  'delete',
  'deletecollection',
  '*',
];

/** A rule as typed: comma-separated lists. */
export type RuleDraft = { apiGroups: string; resources: string; verbs: Verb[]; resourceNames: string };
export const emptyRule = (): RuleDraft => ({ apiGroups: '', resources: '', verbs: [], resourceNames: '' });

const list = (text: string) => text.split(',').map((s) => s.trim());

/** The typed text as the API's PolicyRule: an empty "API groups" is the core group (""). */
export function ruleOf(d: RuleDraft): PolicyRule {
  const names = list(d.resourceNames).filter(Boolean);
  return {
    apiGroups: d.apiGroups.trim() === '' ? [''] : list(d.apiGroups),
    resources: list(d.resources).filter(Boolean),
    verbs: d.verbs,
    ...(names.length ? { resourceNames: names } : {}),
  };
}

export const draftOf = (r: PolicyRule): RuleDraft => ({
  apiGroups: r.apiGroups.join(', '),
  resources: r.resources.join(', '),
  verbs: r.verbs,
  resourceNames: (r.resourceNames ?? []).join(', '),
});

/**
 * The API's PolicyRule checks (shared/workspaces/policy-rule.ts; policy-rules.test.ts holds the two together),
 * keyed as the API's `errors[]` are: `rules.{i}.{field}`.
 */
export function validateRule(r: PolicyRule, i: number): Record<string, string> {
  const out: Record<string, string> = {};
  const at = (f: string) => `rules.${i}.${f}`;
  if (r.apiGroups.length === 0) out[at('apiGroups')] = 'At least one API group ("" is the core group).';
  else if (r.apiGroups.some((g) => g.length > 253)) out[at('apiGroups')] = 'At most 253 characters each.';
  if (r.resources.length === 0 || r.resources.some((s) => s === ''))
    out[at('resources')] = 'At least one resource, e.g. pods.';
  else if (r.resources.some((s) => s.length > 253)) out[at('resources')] = 'At most 253 characters each.';
  if (r.verbs.length === 0) out[at('verbs')] = 'Choose at least one verb.';
  else if (r.verbs.some((v) => !VERBS.includes(v))) out[at('verbs')] = 'Unknown verb.';
  if (r.resourceNames?.some((s) => s === '' || s.length > 253))
    out[at('resourceNames')] = 'Names of 1 to 253 characters.';
  return out;
}

/** The API's `errors[]` of a rule's field, also when the path goes deeper (`rules.0.verbs.1`). */
export function ruleError(errors: Record<string, string>, i: number, field: string): string | undefined {
  const key = `rules.${i}.${field}`;
  return errors[key] ?? Object.entries(errors).find(([k]) => k.startsWith(`${key}.`))?.[1];
}
