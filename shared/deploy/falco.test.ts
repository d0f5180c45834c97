import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import * as z from 'zod';
import {
  FALCO_RULES_FILE,
  type FalcoItem,
  type FalcoOptions,
  type FalcoRule,
  falcoRules,
  falcoRulesConfigMap,
  falcoRulesYaml,
} from './falco';

const OPTS: FalcoOptions = { namespace: 'falco' };

// Falco cannot run here (a C++ engine with a kernel driver), so its loader's checks are redone from its sources.
// The file format: the JSON schema Falco validates rules files with (falcosecurity/falco,
// userspace/engine/rule_json_schema.h: no additional properties, the priority enum), with the keys a rule
// requires per https://falco.org/docs/reference/rules/rule-fields/ (rule, condition, desc, output, priority).
const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*/;
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

// Field names from https://falco.org/docs/reference/rules/supported-fields/ (falcosecurity/falco-website,
// content/en/docs/reference/rules/supported-fields/supported-fields.md: `falco --list=syscall`). The k8s.* and
// container.* ones come from the container plugin since Falco 0.41.
const FIELDS = new Set([
  ...['evt.type', 'evt.num', 'evt.res', 'evt.rawres', 'evt.is_open_read', 'evt.is_open_write'],
  ...['proc.name', 'proc.pname', 'proc.exe', 'proc.exepath', 'proc.cmdline', 'proc.pcmdline', 'proc.args'],
  ...[
    'proc.tty',
    'proc.pid',
    'proc.ppid',
    'proc.cwd',
    'user.name',
    'user.uid',
    'user.loginuid',
    'group.name',
  ],
  ...[
    'fd.num',
    'fd.type',
    'fd.typechar',
    'fd.name',
    'fd.directory',
    'fd.filename',
    'fd.sip',
    'fd.rip',
    'fd.cip',
  ],
  ...['fd.sport', 'fd.rport', 'fd.lport', 'fd.l4proto', 'fd.net', 'fd.snet', 'fd.sip.name', 'fd.rip.name'],
  ...[
    'container.id',
    'container.name',
    'container.image',
    'container.image.repository',
    'container.image.tag',
  ],
  ...['container.privileged', 'k8s.ns.name', 'k8s.pod.name', 'k8s.pod.uid', 'k8s.pod.labels'],
]);
/** Fields that take an argument, `[arg]` or `.arg` (evt.arg.mode, k8s.pod.label[app]). */
const ARG_FIELDS = new Set(['evt.arg', 'proc.aname', 'container.label', 'k8s.pod.label']);
const knownField = (field: string) => {
  const [name, arg] = field.split('[') as [string, string?];
  if (arg !== undefined) return ARG_FIELDS.has(name);
  return FIELDS.has(name) || [...ARG_FIELDS].some((f) => name.startsWith(`${f}.`));
};

type Refs = { fields: string[]; macros: string[]; listItems: string[] };

/**
 * Falco's condition grammar, ported from libsinsp's parser (falcosecurity/libs, userspace/libsinsp/filter/
 * parser.cpp; transformers left out, unused here): or/and/not over parenthesised checks, a check being a field
 * with an operator and a value, or a macro's name. Throws where Falco's parser does (unbalanced parentheses,
 * unterminated quotes, a missing operator or value); returns the fields, macros and bare list items it saw.
 */
function parseCondition(input: string): Refs {
  const refs: Refs = { fields: [], macros: [], listItems: [] };
  let pos = 0;
  const fail = (what: string): never => {
    throw new Error(`${what} at ${pos} of: ${input}`);
  };
  const take = (re: RegExp) => {
    const m = re.exec(input.slice(pos));
    if (m) pos += m[0].length;
    return m?.[0];
  };
  const blank = () => take(/^[ \t\r\n]+/);
  const quoted = () => take(/^("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/);
  const value = () => quoted() ?? take(/^[^()"'\s=,]+/);
  // A keyword needs a blank or a '(' after it: `origin` is no `or`.
  const keyword = (word: string) => {
    blank();
    return take(new RegExp(`^${word}(?=[\\s(])`));
  };
  const or = (): void => {
    and();
    while (keyword('or')) and();
  };
  const and = (): void => {
    not();
    while (keyword('and')) not();
  };
  const not = () => {
    while (keyword('not'));
    check();
  };
  const check = () => {
    blank();
    if (take(/^\(/)) {
      or();
      blank();
      return take(/^\)/) ?? fail("expected a ')'");
    }
    const field = take(/^[a-zA-Z]+[a-zA-Z0-9_]*(\.[a-zA-Z]+[a-zA-Z0-9_]*)+/);
    if (field) {
      let arg: string | undefined;
      if (take(/^\[/)) {
        arg = quoted() ?? take(/^[^\][" '\s]+/) ?? fail('expected a field argument');
        take(/^\]/) ?? fail("expected a ']'");
      }
      refs.fields.push(arg ? `${field}[${arg}]` : field);
      return operator();
    }
    refs.macros.push(take(IDENTIFIER) ?? fail('expected a (, a field check or a macro'));
  };
  const operator = () => {
    blank();
    if (take(/^exists/)) return;
    if (take(/^(<=|<|>=|>)/)) {
      blank();
      take(/^(0[xX][0-9a-zA-Z]+|[+-]?[0-9]+\.?[0-9]*)/) ?? fail('expected a number');
      return;
    }
    if (take(/^(==|=|!=|(glob|iglob|contains|icontains|bcontains|startswith|bstartswith|endswith) )/)) {
      blank();
      value() ?? fail('expected a string value');
      return;
    }
    if (!take(/^(intersects|in|pmatch)/)) fail('expected an operator');
    blank();
    if (!take(/^\(/)) {
      refs.listItems.push(take(IDENTIFIER) ?? fail('expected a list'));
      return;
    }
    do {
      blank();
      const item = quoted() ?? take(/^[^()"'\s=,]+/);
      if (item && !/^["']/.test(item)) refs.listItems.push(item);
      blank();
    } while (take(/^,/));
    take(/^\)/) ?? fail("expected a ')'");
  };
  or();
  blank();
  if (pos !== input.length) fail("expected 'and', 'or' or the end");
  return refs;
}

/**
 * Bare list items that name a list: ours (hxb_*), or one of Falco's default ones (shell_binaries,
 * sensitive_file_names…). Falco takes an undefined list's name as a literal value, silently: hence the check.
 */
const LIST_LIKE =
  /^hxb_|^[a-z][a-z0-9_]*_(binaries|files|file_names|directory_names|dirs|ports|domains|images)$/;
const outputFields = (output: string) =>
  [...output.matchAll(/%([a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+)(\[[^\]]*\])?/g)].map((m) =>
    m[2] ? `${m[1]}[${m[2].slice(1, -1)}]` : m[1]!,
  );

/** Everything Falco's loader would refuse, or that breaks the file standing alone: problems, as messages. */
function problems(items: FalcoItem[]): string[] {
  const found: string[] = [];
  const macros = new Set<string>();
  const lists = new Set<string>();
  for (const item of items) {
    const name = 'rule' in item ? item.rule : 'macro' in item ? item.macro : item.list;
    let refs: Refs = { fields: [], macros: [], listItems: [] };
    try {
      if ('condition' in item) refs = parseCondition(item.condition);
    } catch (err) {
      found.push(`${name}: ${(err as Error).message}`);
    }
    if ('list' in item) refs.listItems = item.items.map(String);
    if ('output' in item) refs.fields.push(...outputFields(item.output));
    for (const f of refs.fields) if (!knownField(f)) found.push(`${name}: unknown field ${f}`);
    for (const m of refs.macros) if (!macros.has(m)) found.push(`${name}: undefined macro ${m}`);
    for (const l of refs.listItems)
      if (LIST_LIKE.test(l) && !lists.has(l)) found.push(`${name}: undefined list ${l}`);
    if ('macro' in item) macros.add(item.macro);
    if ('list' in item) lists.add(item.list);
  }
  return found;
}

const rules = (opts = OPTS) => falcoRules(opts).filter((i): i is FalcoRule => 'rule' in i);
const withRule = (patch: Partial<FalcoItem>) => [
  ...falcoRules(OPTS),
  { ...rules().at(-1)!, ...patch } as FalcoItem,
];

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

  it('parse with the grammar of Falco’s condition parser: balanced parentheses and quotes, operator and value', () => {
    expect(problems(falcoRules(OPTS))).toEqual([]);
    expect(() => parseCondition('(evt.type = execve and (proc.name = sh)')).toThrow(/expected a '\)'/);
    expect(() => parseCondition('evt.type = execve) and proc.name = sh')).toThrow(/the end/);
    expect(() => parseCondition('proc.cmdline contains "stratum+tcp')).toThrow(/string value/);
    expect(() => parseCondition('proc.name in (sh, bash')).toThrow(/expected a '\)'/);
    expect(() => parseCondition('fd.sip =')).toThrow(/string value/);
    expect(() => parseCondition('k8s.pod.label[app = x')).toThrow(/expected a '\]'/);
    expect(
      parseCondition("not k8s.pod.label[vcluster.loft.sh/managed-by] exists and fd.typechar='f'"),
    ).toEqual({
      fields: ['k8s.pod.label[vcluster.loft.sh/managed-by]', 'fd.typechar'],
      macros: [],
      listItems: [],
    });
  });

  it('use only real Falco fields, in conditions and in outputs', () => {
    expect(problems(withRule({ condition: 'hxb_spawned_process and proc.nmae = sh' }))).toEqual([
      'Hexabase tenant host API server contacted: unknown field proc.nmae',
    ]);
    expect(problems(withRule({ output: 'x %k8s.namespace %proc.name[2]' }))).toEqual([
      'Hexabase tenant host API server contacted: unknown field k8s.namespace',
      'Hexabase tenant host API server contacted: unknown field proc.name[2]',
    ]);
  });

  it('define every macro and list before use, all named hxb_* so they never replace a Falco default', () => {
    for (const item of falcoRules(OPTS))
      if (!('rule' in item)) expect('macro' in item ? item.macro : item.list).toMatch(/^hxb_/);
    expect(problems(withRule({ condition: 'hxb_exec and proc.name in (hxb_shells, sh)' }))).toEqual([
      'Hexabase tenant host API server contacted: undefined macro hxb_exec',
      'Hexabase tenant host API server contacted: undefined list hxb_shells',
    ]);
    // Defined after its use: Falco resolves in load order, and so does the check.
    const [first, ...rest] = falcoRules(OPTS);
    expect(problems([...rest, first!])).toEqual([
      'Hexabase tenant terminal shell: undefined list hxb_shell_binaries',
    ]);
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
