import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import { FALCO_RULES_FILE, falcoRules, falcoRulesConfigMap, falcoRulesYaml } from './falco';
import { IDENTIFIER, OPTS, outputFields, rules } from './falco-testing';

// Falco cannot run here (a C++ engine with a kernel driver), so its loader's checks are redone from its sources.
// The file format: the JSON schema Falco validates rules files with (falcosecurity/falco,
// userspace/engine/rule_json_schema.h: no additional properties, the priority enum), with the keys a rule
// requires per https://falco.org/docs/reference/rules/rule-fields/ (rule, condition, desc, output, priority).
const Rule = z.strictObject({
  rule: z.string().min(1),
  desc: z.string().min(1),
  condition: z.string().min(1),
  output: z.string().min(1),
  priority: z.enum([
    'EMERGENCY',
    'ALERT',
    'CRITICAL',
    'ERROR',
    'WARNING',
    'NOTICE',
    'INFO',
    'INFORMATIONAL',
    'DEBUG',
  ]),
  tags: z.array(z.string()).optional(),
  enabled: z.boolean().optional(),
  source: z.string().optional(),
  warn_evttypes: z.boolean().optional(),
  'skip-if-unknown-filter': z.boolean().optional(),
});
const Macro = z.strictObject({ macro: z.string().regex(IDENTIFIER), condition: z.string().min(1) });
const List = z.strictObject({
  list: z.string().regex(IDENTIFIER),
  items: z.array(z.union([z.string(), z.int()])),
});
const RulesFile = z.array(z.union([Rule, Macro, List]));

describe('the Falco rules for tenant namespaces', () => {
  it("are a valid Falco rules file: Falco's own schema (strict keys, priority enum) and the required keys", () => {
    expect(() => RulesFile.parse(falcoRules(OPTS))).not.toThrow();
    const rule = rules()[0]!;
    expect(() => RulesFile.parse([{ ...rule, severity: 'high' }])).toThrow();
    expect(() => RulesFile.parse([{ ...rule, priority: 'HIGH' }])).toThrow();
    const { desc: _, ...undescribed } = rule;
    expect(() => RulesFile.parse([undescribed])).toThrow();
    expect(() => RulesFile.parse([{ macro: 'm' }])).toThrow();
  });

  it('watch only tenant namespaces: every rule is an AND with hxb_tenant_container (k8s.ns.name startswith hxb-)', () => {
    const tenant = falcoRules(OPTS).find((i) => 'macro' in i && i.macro === 'hxb_tenant_container')!;
    expect(tenant).toEqual({
      macro: 'hxb_tenant_container',
      condition: '(container.id != host and k8s.ns.name startswith "hxb-")',
    });
    for (const { rule, condition } of rules()) {
      // With every parenthesised group collapsed, the top level is a plain conjunction naming the macro.
      let top = condition;
      while (/\([^()]*\)/.test(top)) top = top.replace(/\([^()]*\)/g, '_');
      expect(top, rule).not.toMatch(/\bor\b/);
      expect(top.split(/\s+and\s+/), rule).toContain('hxb_tenant_container');
    }
    const other = falcoRules({ ...OPTS, tenantNamespacePrefix: 'tenant-' });
    expect(JSON.stringify(other)).toContain('k8s.ns.name startswith \\"tenant-\\"');
  });

  it('name the tenant namespace, pod and image in every alert', () => {
    for (const { rule, output } of rules())
      expect(outputFields(output), rule).toEqual(
        expect.arrayContaining(['k8s.ns.name', 'k8s.pod.name', 'container.image.repository', 'proc.cmdline']),
      );
  });

  it('cover shells, metadata, sensitive files, drift, escalation, packages, miners and the host API server', () => {
    expect(rules().map((r) => [r.rule.replace('Hexabase tenant ', ''), r.priority])).toEqual([
      ['terminal shell', 'NOTICE'],
      ['cloud metadata access', 'ERROR'],
      ['sensitive file read', 'WARNING'],
      ['system binary or account file written', 'ERROR'],
      ['privilege escalation tool', 'WARNING'],
      ['setuid or setgid bit set', 'WARNING'],
      ['package manager', 'WARNING'],
      ['crypto miner', 'CRITICAL'],
      ['host API server contacted', 'WARNING'],
    ]);
    expect(rules().find((r) => r.rule.includes('metadata'))!.condition).toContain(
      'fd.sip = "169.254.169.254"',
    );
    expect(rules().find((r) => r.rule.includes('API server'))!.condition).toContain(
      'not hxb_vcluster_control_plane',
    );
  });

  it('render as YAML that reads back unchanged, in a valid ConfigMap under the file name Falco mounts', () => {
    expect(parse(falcoRulesYaml(OPTS))).toStrictEqual(falcoRules(OPTS));
    expect(falcoRulesYaml(OPTS)).toContain('- rule: Hexabase tenant crypto miner\n');
    expect(falcoRulesYaml(OPTS)).not.toMatch(/[&*]a\d/); // no shared objects, hence no YAML anchors
    const cm = falcoRulesConfigMap(OPTS);
    expect(() => new ConfigMap(cm).validate()).not.toThrow();
    expect(cm.metadata.namespace).toBe('falco');
    expect(cm.data[FALCO_RULES_FILE]).toBe(falcoRulesYaml(OPTS));
  });
});
