import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode, OPERATOR_ERROR_CODES, statusesOf } from './codes';

const ROOT = join(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs/errors.md'), 'utf8');

/**
 * `| 409 | \`CODE\` | when |` rows of the HTTP tables and `| \`CODE\` | when |` rows of "Startup errors"; any other
 * table row fails, so a malformed row cannot hide a code.
 */
function documented() {
  const http: { code: string; statuses: number[] }[] = [];
  const startup: string[] = [];
  let section = '';
  for (const line of doc.split('\n')) {
    if (line.startsWith('## ')) section = line.slice(3).trim();
    const cells = line
      .match(/^\|(.*)\|\s*$/)?.[1]
      ?.split('|')
      .map((c) => c.trim());
    if (!cells || ['Status', 'Code'].includes(cells[0]!) || /^-+$/.test(cells[0]!)) continue;
    const code = (cell: string | undefined) => cell?.match(/^`([A-Za-z_]+)`$/)?.[1];
    const [first, second] = [code(cells[0]), code(cells[1])];
    const startupRow = section === 'Startup errors';
    if (startupRow && first && cells.length === 2) startup.push(first);
    else if (!startupRow && second && cells.length === 3 && /^\d{3}(, \d{3})*$/.test(cells[0]!))
      http.push({ code: second, statuses: cells[0]!.split(', ').map(Number) });
    else throw new Error(`docs/errors.md: not a row of the code tables: ${line}`);
  }
  return { http, startup };
}

const duplicates = (xs: string[]) => xs.filter((x, i) => xs.indexOf(x) !== i);
const registered = (code: string): code is ErrorCode => Object.hasOwn(ERROR_CODES, code);

describe('docs/errors.md and shared/errors/codes.ts', () => {
  const { http, startup } = documented();

  it('documents every code once', () => {
    expect(http.length).toBeGreaterThan(0);
    expect(duplicates(http.map((r) => r.code))).toEqual([]);
    const missing = Object.keys(ERROR_CODES).filter((c) => !http.some((r) => r.code === c));
    expect(missing, 'in codes.ts but not in docs/errors.md').toEqual([]);
  });

  it('documents no code that codes.ts does not have', () => {
    const unknown = http.map((r) => r.code).filter((c) => !registered(c));
    expect(unknown, 'in docs/errors.md but not in codes.ts').toEqual([]);
  });

  it('gives each code the statuses codes.ts gives it, the usual one first', () => {
    const differ = http.flatMap(({ code, statuses }) =>
      registered(code) && statuses.join() !== statusesOf(code).join()
        ? [`${code}: documented ${statuses}, registered ${statusesOf(code)}`]
        : [],
    );
    expect(differ).toEqual([]);
  });

  it('lists exactly the startup (OperatorError) codes', () => {
    expect(duplicates(startup)).toEqual([]);
    expect([...startup].sort()).toEqual([...OPERATOR_ERROR_CODES].sort());
  });
});

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : sources(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

describe('the closed list', () => {
  it('is not widened by casts: every code reaches AppError as a literal the compiler checked', () => {
    const cast = /\bas\s+(ErrorCode|CodeOf\b|OperatorErrorCode)|<(ErrorCode|OperatorErrorCode)>\s*['"`]/;
    const offenders = ['shared', 'functions', 'scripts']
      .flatMap((d) => sources(join(ROOT, d)))
      .flatMap((f) =>
        readFileSync(f, 'utf8')
          .split('\n')
          .flatMap((line, i) => (cast.test(line) ? [`${relative(ROOT, f)}:${i + 1}: ${line.trim()}`] : [])),
      );
    expect(offenders).toEqual([]);
  });

  it('spells codes in UPPER_SNAKE, except the OAuth error name the token route shares', () => {
    const odd = Object.keys(ERROR_CODES).filter((c) => !/^[A-Z][A-Z0-9]*(_[A-Z0-9]+)*$/.test(c));
    expect(odd).toEqual(['invalid_grant']);
  });
});
