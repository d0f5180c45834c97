import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EVENTS } from './catalog';
import { triggerTable } from './triggers';

const root = join(__dirname, '../..');
const consumed = new Set(triggerTable.flatMap((t) => t.types));

function sources(dir: string): string[] {
  return readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sources(path);
    return /\.tsx?$/.test(e.name) && !/\.test\.tsx?$/.test(e.name) ? [path] : [];
  });
}

describe('event catalogue', () => {
  it('routes every produced type to a worker, or says who outside subscribes to it', () => {
    const orphans = Object.values(EVENTS)
      .filter((e) => e.producers.length > 0 && !consumed.has(e.type) && !('outside' in e))
      .map((e) => e.type);
    expect(orphans).toEqual([]);
  });

  it('routes only catalogued types', () => {
    const known = new Set<string>(Object.values(EVENTS).map((e) => e.type));
    expect([...consumed].filter((t) => !known.has(t))).toEqual([]);
  });

  it('has no entry that is neither produced nor consumed', () => {
    const idle = Object.values(EVENTS).filter((e) => e.producers.length === 0 && !consumed.has(e.type));
    expect(idle.map((e) => e.type)).toEqual([]);
  });

  it('is the only place product code spells an event type', () => {
    const spelled = [...sources('functions'), ...sources('shared')]
      .filter((f) => !f.endsWith('events/catalog.ts'))
      .filter((f) =>
        /['"`](ai\.hexabase\.[a-z]|dev\.knative\.sources)/.test(readFileSync(join(root, f), 'utf8')),
      )
      .map((f) => relative(root, join(root, f)));
    expect(spelled).toEqual([]);
  });

  it("keeps each producer's entry in use: every catalogued type is referenced outside the catalogue", () => {
    const text = [...sources('functions'), ...sources('shared'), ...sources('scripts')]
      .filter((f) => !f.endsWith('events/catalog.ts'))
      .map((f) => readFileSync(join(root, f), 'utf8'))
      .join('\n');
    const unused = Object.keys(EVENTS).filter((k) => !text.includes(`EVENTS.${k}`));
    expect(unused).toEqual([]);
  });
});
