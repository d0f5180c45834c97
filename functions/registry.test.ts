import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileRouteTable, routeTable } from '../shared/routes/table';
import { functionRegistry, openApiDocument } from './registry';

const toPath = (openapiPath: string) => openapiPath.replace(/\{[^}]+\}/g, 'x-1');

describe('route table and function registry', () => {
  it('name the same functions, each with an entry point', () => {
    expect(routeTable.map((r) => r.name).sort()).toEqual(Object.keys(functionRegistry).sort());
    for (const { name } of routeTable) {
      expect(existsSync(join(import.meta.dirname, name, 'index.ts')), `functions/${name}/index.ts`).toBe(
        true,
      );
    }
  });

  it('route every operation to the function that implements it', () => {
    const match = compileRouteTable(routeTable);
    for (const [name, fn] of Object.entries(functionRegistry)) {
      for (const op of fn.operations) {
        expect(match(toPath(op.route.path))?.name, `${op.route.method} ${op.route.path}`).toBe(name);
      }
    }
  });

  it('document every operation in the OpenAPI 3.1 document', () => {
    const doc = openApiDocument('https://hexabase.example.com');
    expect(doc.openapi).toBe('3.1.0');
    for (const fn of Object.values(functionRegistry)) {
      for (const op of fn.operations) {
        expect(
          doc.paths?.[op.route.path]?.[op.route.method as 'get'],
          `${op.route.method} ${op.route.path}`,
        ).toBeDefined();
      }
    }
    expect(doc.components?.schemas?.Problem).toBeDefined();
  });
});
