import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import pg from 'pg';
import type { Database } from './client';
import { rows } from './raw';

/** Any number; it only has to be the same in every process that migrates this database. */
const MIGRATION_LOCK = 7_347_221;

/**
 * Finds migrations/: next to a bundle (esbuild copies it there) or at the repository root when run from source.
 */
export function findMigrationsDir(explicit?: string): string {
  if (explicit) return resolve(explicit);
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'migrations'), resolve(here, '../../migrations'), resolve('migrations')];
  const found = candidates.find((d) => existsSync(join(d, 'meta', '_journal.json')));
  if (!found) throw new Error(`no migrations directory found (looked in ${candidates.join(', ')})`);
  return found;
}

/**
 * Applies pending migrations. On PostgreSQL an advisory lock serialises concurrent starters
 * (several pods rolling out at once), so each migration runs exactly once.
 */
export async function migrateDatabase(
  database: Database,
  opts: { url?: string; folder: string },
): Promise<void> {
  if (database.kind === 'pglite') {
    const { migrate: migratePglite } = await import('drizzle-orm/pglite/migrator');
    await migratePglite(database.db as unknown as PgliteDatabase, { migrationsFolder: opts.folder });
    return;
  }
  if (!opts.url) throw new Error('migrating PostgreSQL needs its URL');
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  try {
    await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
    await migratePg(drizzlePg(client), { migrationsFolder: opts.folder });
  } finally {
    await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => {});
    await client.end();
  }
}

/** The newest migration of a folder; drizzle records each applied one with `created_at` = the journal's `when`. */
export function latestMigration(folder: string): { tag: string; when: number } {
  const journal = JSON.parse(readFileSync(join(folder, 'meta', '_journal.json'), 'utf8')) as {
    entries: { tag: string; when: number }[];
  };
  const latest = journal.entries.at(-1);
  if (!latest) throw new Error(`${folder} has no migrations`);
  return latest;
}

/**
 * Whether the database has every migration up to `when` applied: drizzle's own test for "nothing to apply".
 * A database migrated further (a newer version rolling out) also passes; older code keeps working on it.
 */
export async function isMigratedTo(database: Database, when: number): Promise<boolean> {
  const [table] = await rows<{ exists: boolean }>(
    database.db,
    sql`select to_regclass('drizzle.__drizzle_migrations') is not null as exists`,
  );
  if (!table?.exists) return false;
  const [applied] = await rows<{ latest: string | number | null }>(
    database.db,
    sql`select max(created_at) as latest from drizzle.__drizzle_migrations`,
  );
  return Number(applied?.latest ?? 0) >= when;
}
