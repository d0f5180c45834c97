import { describe, expect, it } from 'vitest';
import { PolicyRule, VERBS } from '../../shared/workspaces/policy-rule';
import {
  ruleOf,
  VERBS as UI_VERBS,
  type PolicyRule as UiRule,
  validateRule,
} from './ui/components/policy-rule-check';

const long = 'x'.repeat(254);

/** The console checks a rule before sending it; it must accept exactly what the API's schema accepts. */
describe("the console's PolicyRule check", () => {
  it('knows the same verbs as the API', () => {
    expect(UI_VERBS).toEqual([...VERBS]);
  });

  it.each<[string, UiRule]>([
    ['a core-group rule', { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    [
      'named resources',
      { apiGroups: ['apps'], resources: ['deployments'], verbs: ['*'], resourceNames: ['web'] },
    ],
    ['no API group', { apiGroups: [], resources: ['pods'], verbs: ['get'] }],
    ['no resource', { apiGroups: [''], resources: [], verbs: ['get'] }],
    ['an empty resource', { apiGroups: [''], resources: [''], verbs: ['get'] }],
    ['no verb', { apiGroups: [''], resources: ['pods'], verbs: [] }],
    ['an unknown verb', { apiGroups: [''], resources: ['pods'], verbs: ['steal' as 'get'] }],
    ['a too long group', { apiGroups: [long], resources: ['pods'], verbs: ['get'] }],
    ['a too long resource', { apiGroups: [''], resources: [long], verbs: ['get'] }],
    ['an empty resource name', { apiGroups: [''], resources: ['pods'], verbs: ['get'], resourceNames: [''] }],
  ])('agrees with the API on %s', (_, rule) => {
    const api = PolicyRule.safeParse(rule);
    const ui = validateRule(rule, 0);
    expect(Object.keys(ui).length === 0).toBe(api.success);
    // The console's messages sit where the API's errors[] would: rules.{i}.{field}.
    if (!api.success) {
      const fields = new Set(api.error.issues.map((i) => `rules.0.${String(i.path[0])}`));
      expect(Object.keys(ui).every((k) => fields.has(k))).toBe(true);
    }
  });

  it('reads typed text as the API expects it: empty API groups is the core group', () => {
    expect(
      ruleOf({ apiGroups: ' ', resources: 'pods, services', verbs: ['get'], resourceNames: '' }),
    ).toEqual({
      apiGroups: [''],
      resources: ['pods', 'services'],
      verbs: ['get'],
    });
  });
});
