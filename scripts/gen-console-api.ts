import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import openapiTS, { astToString } from 'openapi-typescript';
import { openApiDocument } from '../functions/registry';

/** Where the console's typed API client reads its types from (committed; a test fails when it is stale). */
export const CONSOLE_SCHEMA_FILE = join(import.meta.dirname, '..', 'functions/console/ui/api/schema.ts');

/**
 * The console's API types, generated from the OpenAPI document built in-process (the same one
 * GET /api/v1/openapi.json serves): openapi-fetch's typed paths make tsc refuse a call to an undocumented operation.
 */
export async function renderConsoleSchema(): Promise<string> {
  const doc = nullableRefs(openApiDocument('http://localhost:8080'));
  const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0], {
    alphabetize: true,
    exportType: true,
  });
  const header =
    '// Generated from the OpenAPI document (functions/registry.ts) by `npm run console:api`. Do not edit by hand.\n';
  return header + astToString(ast);
}

/**
 * zod-to-openapi writes `.nullable()` of a referenced schema as `allOf: [{ $ref }, { type: ['object', 'null'] }]`,
 * which openapi-typescript reads as the reference intersected with an empty object (no null). What the API sends
 * is the referenced object or null, so the types are generated from `anyOf: [{ $ref }, { type: 'null' }]`. The
 * served document is unchanged.
 */
function nullableRefs<T>(doc: T): T {
  const walk = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(walk);
    if (!node || typeof node !== 'object') return node;
    const o = node as Record<string, unknown>;
    const all = o.allOf;
    if (Array.isArray(all) && all.length === 2) {
      const [ref, nullable] = all as Record<string, unknown>[];
      const types = nullable?.type;
      if (
        ref?.$ref &&
        Array.isArray(types) &&
        types.includes('null') &&
        Object.keys(nullable ?? {}).length === 1
      ) {
        const { allOf: _, ...rest } = o;
        return { ...(walk(rest) as object), anyOf: [ref, { type: 'null' }] };
      }
    }
    return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, walk(v)]));
  };
  return walk(doc) as T;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  writeFileSync(CONSOLE_SCHEMA_FILE, await renderConsoleSchema());
  console.log(`wrote ${CONSOLE_SCHEMA_FILE}`);
}
