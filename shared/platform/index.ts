import { join } from 'node:path';
import { type Auth, createAuth } from '../auth';
import type { Authz } from '../authz';
import { type Cache, createMemoryCache, createRedisCache } from '../cache';
import {
  type Database,
  type Db,
  findMigrationsDir,
  isMigratedTo,
  latestMigration,
  migrateDatabase,
  openPglite,
  openPostgres,
} from '../db';
import type { Env } from '../env';
import { OperatorError } from '../errors';
import type { NatsHandle } from '../events/nats';
import { NotReadyError, type ReadinessCheck } from '../http/types';
import type { Logger } from '../log';
import type { OrgContext } from '../orgs/context';
import { flushTelemetry, installTelemetry } from '../telemetry';

/** Everything a function may depend on, built once per process and passed down explicitly. */
export type Platform = {
  env: Env;
  log: Logger;
  database: Database;
  db: Db;
  cache: Cache;
  /** Only in the processes that move events over JetStream (given `connectNats`), and only with NATS_URL. */
  nats: NatsHandle | undefined;
  auth: Auth;
  /** Authorization reads: PostgreSQL through the versioned cache that auth's sessions and tokens use too. */
  authz: Authz;
  orgs: OrgContext;
  readiness: Record<string, ReadinessCheck>;
  close: () => Promise<void>;
};

export type PlatformOptions = {
  name: string;
  migrate: boolean;
  /**
   * How to connect to NATS_URL (shared/events/nats). Only the processes that move events over JetStream (the
   * relay, `npm start`'s backbone) pass it: the other functions write events to the outbox, so their bundles
   * leave the NATS client out and they never wait for it.
   */
  connectNats?: (url: string, name: string) => Promise<NatsHandle>;
};

/**
 * Real services when their URLs are set, embedded ones otherwise (PGlite under HEXABASE_DATA_DIR,
 * an in-memory cache, no NATS), so `npm start` needs nothing installed.
 */
export async function createPlatform(env: Env, log: Logger, opts: PlatformOptions): Promise<Platform> {
  const migrations = builtMigrations(env.HEXABASE_MIGRATIONS_DIR);
  // Before anything serves or logs a request: spans (and the traceIds of log lines) need the context manager.
  await installTelemetry({ serviceName: opts.name, endpoint: env.OTEL_EXPORTER_OTLP_ENDPOINT });
  const database = env.DATABASE_URL
    ? await openPostgres(env.DATABASE_URL, { poolMax: env.DATABASE_POOL_MAX, log })
    : await openPglite(join(env.HEXABASE_DATA_DIR, 'pglite'));
  // Closing flushes the spans still buffered; the provider itself stays, as other platforms of a process share it.
  const opened: { close: () => Promise<void> }[] = [{ close: flushTelemetry }, database];
  try {
    if (opts.migrate) {
      await migrateDatabase(database, { url: env.DATABASE_URL, folder: migrations.folder });
      log.info({ database: database.location }, 'migrations applied');
    }
    const cache = env.REDIS_URL
      ? createRedisCache(env.REDIS_URL, { keyPrefix: env.REDIS_KEY_PREFIX })
      : createMemoryCache();
    opened.push(cache);
    const nats =
      opts.connectNats && env.NATS_URL
        ? await opts.connectNats(env.NATS_URL, `hexabase-${opts.name}`)
        : undefined;
    if (nats) opened.push(nats);
    const readiness: Record<string, ReadinessCheck> = { database: databaseReadiness(database, migrations) };
    if (env.REDIS_URL) readiness.redis = cache.ping;
    if (nats) readiness.nats = nats.ping;
    const auth = createAuth({ env, db: database.db, cache, log });
    log.info(
      {
        database: database.kind,
        cache: cache.kind,
        events: nats ? 'nats' : opts.connectNats ? 'in-process' : 'outbox',
        traces: env.OTEL_EXPORTER_OTLP_ENDPOINT ? 'otlp' : 'not exported',
      },
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
      authz: { db: database.db, cache: auth.auth.authzCache },
      orgs: {
        db: database.db,
        now: () => new Date(),
        kek: auth.auth.kek,
        publicUrl: auth.publicUrl,
        authzCache: auth.auth.authzCache,
      },
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

/** The migrations this build carries (beside the bundle, or the repository's): the schema its code expects. */
function builtMigrations(explicit: string | undefined) {
  try {
    const folder = findMigrationsDir(explicit);
    return { folder, ...latestMigration(folder) };
  } catch (err) {
    throw new OperatorError('MIGRATIONS_NOT_FOUND', `cannot read migrations: ${(err as Error).message}`, {
      cause: err,
    });
  }
}

/**
 * /readyz's database check: reachable and migrated to this build's version, because on an older schema every
 * request would fail with a 500. Migrations are never undone, so a positive answer is kept and later probes
 * only ping.
 */
function databaseReadiness(database: Database, expected: { tag: string; when: number }): ReadinessCheck {
  let migrated = false;
  return async () => {
    if (migrated) return database.ping();
    if (!(await isMigratedTo(database, expected.when)))
      throw new NotReadyError(
        'not migrated',
        `the database lacks migration ${expected.tag}: run npm run migrate or set HEXABASE_MIGRATE_ON_START=true`,
      );
    migrated = true;
  };
}
