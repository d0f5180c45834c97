import { join } from 'node:path';
import { type Auth, createAuth } from '../auth';
import { type Cache, createMemoryCache, createRedisCache } from '../cache';
import { type Database, type Db, findMigrationsDir, migrateDatabase, openPglite, openPostgres } from '../db';
import type { Env } from '../env';
import { connectNats, type NatsHandle } from '../events/nats';
import type { ReadinessCheck } from '../http/types';
import type { Logger } from '../log';
import type { OrgContext } from '../orgs/context';

/** Everything a function may depend on, built once per process and passed down explicitly. */
export type Platform = {
  env: Env;
  log: Logger;
  database: Database;
  db: Db;
  cache: Cache;
  nats: NatsHandle | undefined;
  auth: Auth;
  orgs: OrgContext;
  readiness: Record<string, ReadinessCheck>;
  close: () => Promise<void>;
};

export type PlatformOptions = { name: string; migrate: boolean };

/**
 * Real services when their URLs are set, embedded ones otherwise (PGlite under HEXABASE_DATA_DIR,
 * an in-memory cache, no NATS), so `npm start` needs nothing installed.
 */
export async function createPlatform(env: Env, log: Logger, opts: PlatformOptions): Promise<Platform> {
  const database = env.DATABASE_URL
    ? await openPostgres(env.DATABASE_URL, { poolMax: env.DATABASE_POOL_MAX, log })
    : await openPglite(join(env.HEXABASE_DATA_DIR, 'pglite'));
  const opened: { close: () => Promise<void> }[] = [database];
  try {
    if (opts.migrate) {
      const folder = findMigrationsDir(env.HEXABASE_MIGRATIONS_DIR);
      await migrateDatabase(database, { url: env.DATABASE_URL, folder });
      log.info({ database: database.location }, 'migrations applied');
    }
    const cache = env.REDIS_URL
      ? createRedisCache(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX })
      : createMemoryCache();
    opened.push(cache);
    const nats = env.NATS_URL ? await connectNats(env.NATS_URL, `hexabase-${opts.name}`) : undefined;
    if (nats) opened.push(nats);
    const readiness: Record<string, ReadinessCheck> = { database: database.ping };
    if (env.REDIS_URL) readiness.redis = cache.ping;
    if (nats) readiness.nats = nats.ping;
    const auth = createAuth({ env, db: database.db, cache });
    log.info(
      { database: database.kind, cache: cache.kind, events: nats ? 'nats' : 'in-process' },
      'platform ready',
    );
    return {
      env,
      log,
      database,
      db: database.db,
      cache,
      nats,
      auth,
      orgs: { db: database.db, now: () => new Date(), kek: auth.auth.kek, publicUrl: auth.publicUrl },
      readiness,
      close: async () => {
        for (const c of opened.reverse()) await c.close().catch(() => {});
      },
    };
  } catch (err) {
    for (const c of opened.reverse()) await c.close().catch(() => {});
    throw err;
  }
}
