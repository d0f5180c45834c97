import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { workspaceMembers, workspaces } from '../shared/db/schema';
import { newId } from '../shared/ids';
import { flattenGroups } from '../shared/workspaces/flatten';
import { listWorkspaces } from '../shared/workspaces/workspaces';
import { benchOrganization, deepGroupWorkspace, withBenchDatabase } from './bench-support';

/**
 * `npm run bench`: the data-layer hot paths on the real PostgreSQL (127.0.0.1:5432), in a throwaway database.
 * Results are printed and written to docs/benchmarks.md.
 */
function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { n: s.length, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: s.at(-1)! };
}
async function measure(n: number, fn: () => Promise<unknown>) {
  for (let i = 0; i < Math.min(50, n); i++) await fn(); // warm caches and plans
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return stats(out);
}
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

await withBenchDatabase(async (database) => {
  const db = database.db;
  const { userId, orgId } = await benchOrganization(db);
  // 1. Group flattening: 10,000 groups in 500 chains of depth 20; the user sits in the leaves of 5 chains.
  const wsId = await deepGroupWorkspace(db, orgId, userId);
  await db.execute(sql`analyze`);
  const flattened = await flattenGroups(db, wsId, userId);
  const flatten = await measure(1000, () => flattenGroups(db, wsId, userId));

  // 2. Workspace list: 10,000 workspaces in one organization; a member belongs to 100 of them.
  const rows = Array.from({ length: 10_000 }, (_, i) => ({
    id: newId('ws'),
    organizationId: orgId,
    name: `ws-${i}`,
    planId: 'free',
    createdAt: new Date(Date.now() - i * 1000),
  }));
  for (let i = 0; i < rows.length; i += 1000) await db.insert(workspaces).values(rows.slice(i, i + 1000));
  await db
    .insert(workspaceMembers)
    .values(rows.filter((_, i) => i % 100 === 0).map((r) => ({ workspaceId: r.id, userId })));
  await db.execute(sql`analyze`);
  const page = { limit: 50 };
  const first = await measure(300, () => listWorkspaces({ db }, { userId }, { orgId, orgAdmin: true, page }));
  const deepCursor = (
    await listWorkspaces({ db }, { userId }, { orgId, orgAdmin: true, page: { limit: 200 } })
  ).nextCursor!;
  let cursor: string | null = deepCursor;
  for (let i = 0; i < 40 && cursor; i++)
    cursor = (
      await listWorkspaces({ db }, { userId }, { orgId, orgAdmin: true, page: { limit: 200, cursor } })
    ).nextCursor;
  const deep = await measure(300, () =>
    listWorkspaces({ db }, { userId }, { orgId, orgAdmin: true, page: { limit: 50, cursor: cursor! } }),
  );
  const member = await measure(300, () =>
    listWorkspaces({ db }, { userId }, { orgId, orgAdmin: false, page }),
  );

  const lines = [
    '# Benchmarks',
    '',
    `Run by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: the real PostgreSQL 15 on 127.0.0.1, 2 cores, pool of 4, one client, timings per call including the round trip. Target for flattening: p99 under 5 ms. Each table is one run; on this shared 2-core machine repeated runs of the whole file have differed by up to 1.6× (2026-11-25: token exchange 934/s, events 856/s; 2026-11-26: 571/s, 558/s).`,
    '',
    '| case | calls | p50 | p95 | p99 | max |',
    '|---|---|---|---|---|---|',
    `| flatten groups: 10,000 groups, depth 20, user in 5 leaves (${flattened.length} names) | ${flatten.n} | ${fmt(flatten.p50)} | ${fmt(flatten.p95)} | ${fmt(flatten.p99)} | ${fmt(flatten.max)} |`,
    `| list workspaces, org admin, first page of 50 (10,001 in the org) | ${first.n} | ${fmt(first.p50)} | ${fmt(first.p95)} | ${fmt(first.p99)} | ${fmt(first.max)} |`,
    `| list workspaces, org admin, page of 50 after ~8,000 rows (keyset cursor) | ${deep.n} | ${fmt(deep.p50)} | ${fmt(deep.p95)} | ${fmt(deep.p99)} | ${fmt(deep.max)} |`,
    `| list workspaces, member of 101, first page of 50 | ${member.n} | ${fmt(member.p50)} | ${fmt(member.p95)} | ${fmt(member.p99)} | ${fmt(member.max)} |`,
    '',
  ];
  const report = lines.join('\n');
  console.log(report);
  writeFileSync(join(import.meta.dirname, '..', 'docs', 'benchmarks.md'), report);
  if (flatten.p99 >= 5) {
    console.error(`flattening p99 ${fmt(flatten.p99)} misses the 5 ms target`);
    process.exitCode = 1;
  }
});
