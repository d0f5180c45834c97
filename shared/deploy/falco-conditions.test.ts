import { describe, expect, it } from 'vitest';
import { type FalcoItem, falcoRules } from './falco';
import { OPTS, parseCondition, problems, rules } from './falco-testing';

const withRule = (patch: Partial<FalcoItem>) => [
  ...falcoRules(OPTS),
  { ...rules().at(-1)!, ...patch } as FalcoItem,
];

describe('the Falco rules for tenant namespaces', () => {
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
});
