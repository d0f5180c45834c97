import { type FalcoItem, type FalcoOptions, type FalcoRule, falcoRules } from './falco';

// What Falco's loader checks beyond the file's schema (the condition grammar, the field names, definitions before
// use), redone from its sources as Falco cannot run here; falco.test.ts and falco-conditions.test.ts share it.

export const OPTS: FalcoOptions = { namespace: 'falco' };

/** One pattern for the schema's macro and list names and the parser's bare words: Falco's grammar has one. */
export const IDENTIFIER = /^[a-zA-Z]+[a-zA-Z0-9_]*/;

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
export function parseCondition(input: string): Refs {
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
export const outputFields = (output: string) =>
  [...output.matchAll(/%([a-zA-Z]+[a-zA-Z0-9_]*(?:\.[a-zA-Z]+[a-zA-Z0-9_]*)+)(\[[^\]]*\])?/g)].map((m) =>
    m[2] ? `${m[1]}[${m[2].slice(1, -1)}]` : m[1]!,
  );

/** Everything Falco's loader would refuse, or that breaks the file standing alone: problems, as messages. */
export function problems(items: FalcoItem[]): string[] {
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

export const rules = (opts = OPTS) => falcoRules(opts).filter((i): i is FalcoRule => 'rule' in i);
