import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { CONSOLE_SCHEMA_FILE, renderConsoleSchema } from '../../scripts/gen-console-api';
import { openApiDocument } from '../registry';

const ui = join(import.meta.dirname, 'ui');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && path !== CONSOLE_SCHEMA_FILE ? [path] : [];
  });
}

/**
 * Every API call of the UI: `api.GET('/path', …)`-style calls of the typed client, and paths declared with
 * `satisfies keyof paths` (the task stream, read with EventSource) — always GET.
 */
function calls(): { method: string; path: string; file: string }[] {
  return sources(ui).flatMap((file) => {
    const text = readFileSync(file, 'utf8');
    const found = [
      ...text.matchAll(/\.(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\(\s*(['"`])([^'"`]+)\2/g),
    ].map((m) => ({ method: m[1]!.toLowerCase(), path: m[3]!, file: relative(ui, file) }));
    const declared = [...text.matchAll(/(['"`])(\/[^'"`]+)\1\s+satisfies\s+keyof\s+paths/g)].map((m) => ({
      method: 'get',
      path: m[2]!,
      file: relative(ui, file),
    }));
    return [...found, ...declared];
  });
}

describe('the console API client', () => {
  it('is generated from the current OpenAPI document (run `npm run console:api` after changing an operation)', async () => {
    expect(readFileSync(CONSOLE_SCHEMA_FILE, 'utf8')).toBe(await renderConsoleSchema());
  });

  it('calls only operations of the OpenAPI document', () => {
    const doc = openApiDocument('http://localhost:8080') as unknown as {
      paths: Record<string, Record<string, unknown>>;
    };
    const found = calls();
    // The screens of this round make at least these calls; the scan must see them, or it sees nothing.
    expect(found.map((c) => `${c.method} ${c.path}`)).toEqual(
      expect.arrayContaining([
        'get /auth/me',
        'post /auth/refresh',
        'get /auth/providers',
        'get /api/v1/plans',
        'get /api/v1/organizations/{orgId}/workspaces',
        'post /api/v1/organizations/{orgId}/workspaces',
        'get /api/v1/organizations/{orgId}/workspaces/{wsId}/kubeconfig',
        'get /api/v1/tasks/{taskId}',
        'post /auth/tokens',
      ]),
    );
    const undocumented = found.filter((c) => !doc.paths[c.path]?.[c.method]);
    expect(undocumented).toEqual([]);
  });

  it('makes no request but through the typed client (no fetch, XMLHttpRequest or sendBeacon of its own)', () => {
    const offenders = sources(ui).filter((f) =>
      /(?<![.\w])fetch\(|XMLHttpRequest|sendBeacon|\baxios\b/.test(
        readFileSync(f, 'utf8').replace(/\/\/.*$|\/\*[\s\S]*?\*\//gm, ''),
      ),
    );
    // client.ts retries a request after a refresh through openapi-fetch's own fetch (options.fetch).
    expect(offenders.map((f) => relative(ui, f))).toEqual([]);
  });

  it('keeps the UI to its own files and its browser packages', () => {
    const allowed = /^(preact|preact\/hooks|preact-iso|openapi-fetch)$/;
    const problems = sources(ui).flatMap((file) => {
      const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, false);
      return importedFiles
        .map((i) => i.fileName)
        .filter((name) =>
          name.startsWith('.') ? relative(ui, join(file, '..', name)).startsWith('..') : !allowed.test(name),
        )
        .map((name) => `${relative(ui, file)} -> ${name}`);
    });
    expect(problems).toEqual([]);
  });

  it('keeps tokens out of JavaScript-readable storage (localStorage holds only the theme and the organization id)', () => {
    const keys = sources(ui).flatMap((f) =>
      [...readFileSync(f, 'utf8').matchAll(/localStorage\.setItem\(\s*([A-Z_a-z.'"]+)/g)].map((m) => m[1]),
    );
    expect(new Set(keys)).toEqual(new Set(['ORG_KEY', 'KEY']));
    expect(sources(ui).some((f) => /sessionStorage|indexedDB/.test(readFileSync(f, 'utf8')))).toBe(false);
  });
});
