import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { type Database, openPostgres } from '../db';
import { TEST_SERVICES } from './services';

export type TestDatabase = { name: string; url: string; database: Database; drop: () => Promise<void> };

async function admin<T>(fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const c = new pg.Client({ connectionString: TEST_SERVICES.postgresAdminUrl });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

/** A fresh, migrated database of its own (a clone of the run's template) on the real PostgreSQL. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `hexabase_t_${inject('runId')}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}" template "${inject('templateDatabase')}"`));
  const url = TEST_SERVICES.postgresUrl(name);
  const database = await openPostgres(url, { poolMax: 5 });
  return {
    name,
    url,
    database,
    drop: async () => {
      await database.close().catch(() => {}); // usePlatform may have closed it already
      await admin((c) => c.query(`drop database if exists "${name}" with (force)`));
    },
  };
}

/** An empty database (no migrations), for testing the migrator itself. */
export async function createEmptyDatabase(): Promise<{
  name: string;
  url: string;
  drop: () => Promise<void>;
}> {
  const name = `hexabase_t_${inject('runId')}_${randomBytes(5).toString('hex')}`;
  await admin((c) => c.query(`create database "${name}"`));
  return {
    name,
    url: TEST_SERVICES.postgresUrl(name),
    drop: () => admin((c) => c.query(`drop database if exists "${name}" with (force)`)).then(() => {}),
  };
}
