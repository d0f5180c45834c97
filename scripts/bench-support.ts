import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { type Database, type Db, findMigrationsDir, migrateDatabase, openPostgres } from '../shared/db';
import {
  groupMemberships,
  groups,
  organizationMembers,
  organizations,
  users,
  workspaceMembers,
  workspaces,
} from '../shared/db/schema';
import { newId } from '../shared/ids';

/** A migrated throwaway database on the local PostgreSQL, dropped afterwards whatever happens. */
export async function withBenchDatabase<T>(fn: (database: Database, url: string) => Promise<T>): Promise<T> {
  const name = `hexabase_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: 'postgres://postgres@127.0.0.1:5432/postgres' });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = `postgres://postgres@127.0.0.1:5432/${name}`;
  const database = await openPostgres(url, { poolMax: 8 });
  try {
    await migrateDatabase(database, { url, folder: findMigrationsDir() });
    return await fn(database, url);
  } finally {
    await database.close();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
}

/** One organization with one member (the benchmark's user). */
export async function benchOrganization(db: Db, role: 'admin' | 'member' = 'member') {
  const userId = newId('usr');
  const orgId = newId('org');
  await db
    .insert(users)
    .values({ id: userId, email: 'bench@example.com', displayName: 'Bench', emailVerified: true });
  await db.insert(organizations).values({ id: orgId, name: 'Bench' });
  await db.insert(organizationMembers).values({ organizationId: orgId, userId, role });
  return { userId, orgId };
}

/** A workspace with 10,000 groups in 500 chains of depth 20; the user sits in the leaves of 5 chains. */
export async function deepGroupWorkspace(db: Db, orgId: string, userId: string) {
  const wsId = newId('ws');
  await db
    .insert(workspaces)
    .values({ id: wsId, organizationId: orgId, name: 'big', planId: 'premium-dedicated' });
  await db.insert(workspaceMembers).values({ workspaceId: wsId, userId });
  const leaves: string[] = [];
  for (let chain = 0; chain < 500; chain++) {
    let parent: string | null = null;
    const rows = [];
    for (let depth = 0; depth < 20; depth++) {
      const id = newId('grp');
      rows.push({ id, workspaceId: wsId, name: `c${chain}-d${depth}`, parentId: parent });
      parent = id;
    }
    await db.insert(groups).values(rows);
    leaves.push(parent!);
  }
  for (const leaf of leaves.filter((_, i) => i % 100 === 0)) {
    await db.insert(groupMemberships).values({ workspaceId: wsId, groupId: leaf, userId });
  }
  return wsId;
}

/** Appends a section to docs/benchmarks.md (bench.ts writes the file first). */
export function appendReport(lines: string[]) {
  console.log(lines.join('\n'));
  const file = join(import.meta.dirname, '..', 'docs', 'benchmarks.md');
  writeFileSync(file, readFileSync(file, 'utf8') + lines.join('\n'));
}
