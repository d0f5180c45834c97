import { randomBytes } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { findMigrationsDir, migrateDatabase, openPostgres } from '../db';
import { parseEnv } from '../env';
import { createApp } from '../http/app';
import { createLogger } from '../log';
import { createEmptyDatabase } from '../testing/db';
import { json } from '../testing/http';
import { createPlatform, type Platform } from '.';

const log = createLogger({ level: 'silent', name: 'test' });
const folder = findMigrationsDir();

/** The platform as a function process builds it (no migration on start), on the given database. */
async function platformOn(url: string): Promise<Platform> {
  const env = parseEnv({
    NODE_ENV: 'test',
    DATABASE_URL: url,
    DATABASE_POOL_MAX: '2',
    HEXABASE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    HEXABASE_DATA_DIR: '/nonexistent',
  });
  return createPlatform(env, log, { name: 'test', migrate: false });
}

const readyz = async (p: Platform) => {
  const res = await createApp({ name: 'test', log, readiness: p.readiness }).request('/readyz');
  return { status: res.status, body: await json(res) };
};

/** The repository's migrations without the newest one: the schema of the previous release. */
function previousRelease(): string {
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-migrations-'));
  cpSync(folder, dir, { recursive: true });
  const journalFile = join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
  journal.entries.pop();
  writeFileSync(journalFile, JSON.stringify(journal));
  return dir;
}

describe('/readyz and the database schema', () => {
  const cleanup: (() => Promise<void> | void)[] = [];
  afterAll(async () => {
    for (const c of cleanup.reverse()) await c();
  });

  it('is 503 "not migrated" on an empty or outdated database and 200 once migrated', async () => {
    const empty = await createEmptyDatabase();
    cleanup.push(empty.drop);
    const platform = await platformOn(empty.url);
    cleanup.push(platform.close);

    expect(await readyz(platform)).toEqual({
      status: 503,
      body: { status: 'unavailable', checks: { database: 'not migrated' } },
    });

    const older = previousRelease();
    cleanup.push(() => rmSync(older, { recursive: true, force: true }));
    await migrateDatabase(platform.database, { url: empty.url, folder: older });
    expect((await readyz(platform)).body.checks.database).toBe('not migrated');

    await migrateDatabase(platform.database, { url: empty.url, folder });
    expect(await readyz(platform)).toEqual({
      status: 200,
      body: { status: 'ok', checks: { database: 'ok' } },
    });
  });

  it('keeps a positive answer (later probes only ping) and stays ready on a database migrated further', async () => {
    const db = await createEmptyDatabase();
    cleanup.push(db.drop);
    const admin = await openPostgres(db.url, { poolMax: 1 });
    cleanup.push(admin.close);
    await migrateDatabase(admin, { url: db.url, folder });
    // A newer release rolled out first and applied one more migration: this one still runs on it.
    await admin.db.execute(
      sql`insert into drizzle.__drizzle_migrations (hash, created_at) values ('next', ${Date.now() + 86_400_000})`,
    );
    const platform = await platformOn(db.url);
    cleanup.push(platform.close);
    expect((await readyz(platform)).status).toBe(200);

    // Once migrated, the table is not read again: the probe costs one `select 1`.
    await admin.db.execute(sql`drop schema drizzle cascade`);
    expect((await readyz(platform)).status).toBe(200);
  });

  it('reports "unavailable", not "not migrated", when the database cannot be reached', async () => {
    const db = await createEmptyDatabase();
    const platform = await platformOn(db.url);
    cleanup.push(platform.close);
    await db.drop(); // `with (force)` ends the platform's connections
    const { status, body } = await readyz(platform);
    expect(status).toBe(503);
    expect(body.checks.database).toBe('unavailable');
  });
});
