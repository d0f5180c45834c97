import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/**
 * The import graph of product code (tests excluded), read with the TypeScript compiler's own pre-parser so that
 * type-only imports count too: a cycle of types is still a cycle a newcomer has to untangle.
 */
const root = resolve(__dirname, '..');

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

const files = [...sources('functions'), ...sources('shared')];

function importsOf(file: string): { local: string[]; packages: string[] } {
  const { importedFiles } = ts.preProcessFile(readFileSync(join(root, file), 'utf8'), true, false);
  const local: string[] = [];
  const packages: string[] = [];
  for (const { fileName } of importedFiles) {
    if (!fileName.startsWith('.')) {
      packages.push(fileName);
      continue;
    }
    const base = resolve(root, dirname(file), fileName);
    const found = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((f) => existsSync(f));
    if (found) local.push(relative(root, found));
  }
  return { local, packages };
}

const graph = new Map(files.map((f) => [f, importsOf(f)]));
const fnOf = (file: string) => /^functions\/([^/]+)\//.exec(file)?.[1];

/** Strongly connected components of more than one file (Tarjan), i.e. every import cycle. */
function cycles(): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (v: string) => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v)?.local ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1) found.push(component.sort());
    }
  };
  for (const f of files) if (!index.has(f)) visit(f);
  return found;
}

describe('architecture', () => {
  it('has no import cycles, type-only imports included', () => {
    expect(cycles()).toEqual([]);
  });

  it('never lets one function import another (functions/operations.ts lists them all for the docs function)', () => {
    const crossings = files.flatMap((f) =>
      graph
        .get(f)!
        .local.filter((d) => fnOf(f) && fnOf(d) && fnOf(d) !== fnOf(f))
        .map((d) => `${f} -> ${d}`),
    );
    expect(crossings).toEqual([]);
  });

  it('keeps shared/ independent of functions/', () => {
    const upward = files
      .filter((f) => f.startsWith('shared/'))
      .flatMap((f) =>
        graph
          .get(f)!
          .local.filter((d) => d.startsWith('functions/'))
          .map((d) => `${f} -> ${d}`),
      );
    expect(upward).toEqual([]);
  });

  it('keeps queries out of functions/: routes call domain verbs, which own the data layer', () => {
    const querying = files.filter(
      (f) =>
        f.startsWith('functions/') &&
        (graph.get(f)!.packages.some((p) => p.startsWith('drizzle-orm')) ||
          graph.get(f)!.local.some((d) => d.startsWith('shared/db/schema'))),
    );
    expect(querying).toEqual([]);
  });

  it('reads process.env only in shared/env and the process entry point (test harnesses aside)', () => {
    const readers = files.filter(
      (f) =>
        !f.startsWith('shared/env/') &&
        !f.startsWith('shared/testing/') &&
        f !== 'shared/platform/run.ts' &&
        /process\.env\b/.test(readFileSync(join(root, f), 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, '')),
    );
    expect(readers).toEqual([]);
  });
});
