import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { envObject } from './schema';

describe('README configuration table', () => {
  it('documents every variable the schema reads, and no other', () => {
    const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
    const section = readme.slice(
      readme.indexOf('## Configuration'),
      readme.indexOf('## How it fits together'),
    );
    const documented = [...section.matchAll(/^\| `([A-Z0-9_]+)` +\|/gm)].map((m) => m[1]).sort();
    expect(documented).toEqual(Object.keys(envObject.shape).sort());
  });
});
