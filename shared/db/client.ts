import { mkdirSync } from 'node:fs';
import type { ExtractTablesWithRelations } from 'drizzle-orm';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { OperatorError } from '../errors';
import type { Logger } from '../log';
import * as schema from './schema';

export type Schema = typeof schema;
/** Both drivers share this type, so verbs never know whether they run on PostgreSQL or PGlite. */
export type Db = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type Database = {
  db: Db;
  kind: 'postgres' | 'pglite';
  /** Where it lives, without credentials; for logs and error lines. */
  location: string;
  ping: () => Promise<void>;
  close: () => Promise<void>;
  /** LISTEN on a channel; resolves to the function that stops listening. */
  listen: (channel: string, onNotify: (payload: string) => void) => Promise<() => Promise<void>>;
};

export class DatabaseUnavailableError extends OperatorError {
  constructor(message: string, options?: ErrorOptions) {
    super('DATABASE_UNAVAILABLE', message, options);
  }
}

export function describeUrl(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || 5432}${u.pathname}`;
}

export async function openPostgres(url: string, opts: { poolMax: number; log?: Logger }): Promise<Database> {
  const pool = new pg.Pool({ connectionString: url, max: opts.poolMax, connectionTimeoutMillis: 5000 });
  // An idle client dropped by the server must not crash the process; the pool replaces it.
  pool.on('error', (err) => opts.log?.warn({ err: err.message }, 'idle PostgreSQL client error'));
  const location = describeUrl(url);
  try {
    await pool.query('select 1');
  } catch (err) {
    await pool.end().catch(() => {});
    throw new DatabaseUnavailableError(
      `cannot connect to PostgreSQL at ${location}: ${(err as Error).message}`,
      { cause: err },
    );
  }
  return {
    db: drizzlePg(pool, { schema, casing: 'snake_case' }) as unknown as Db,
    kind: 'postgres',
    location,
    ping: async () => {
      await pool.query('select 1');
    },
    close: () => pool.end(),
    listen: async (channel, onNotify) => {
      // A dedicated connection: pooled ones are handed to others between queries and would miss notifications.
      const client = new pg.Client({ connectionString: url });
      client.on('error', () => {});
      await client.connect();
      client.on('notification', (n) => onNotify(n.payload ?? ''));
      await client.query(`listen ${pg.escapeIdentifier(channel)}`);
      return async () => {
        await client.end().catch(() => {});
      };
    },
  };
}

/**
 * Embedded PostgreSQL for `npm start` and tests. Loaded lazily and left out of function bundles (a deployed
 * function always has DATABASE_URL), which keeps each bundle half a megabyte smaller.
 */
export async function openPglite(dataDir: string | undefined): Promise<Database> {
  let PGlite: typeof import('@electric-sql/pglite').PGlite;
  let drizzlePglite: typeof import('drizzle-orm/pglite').drizzle;
  try {
    ({ PGlite } = await import('@electric-sql/pglite'));
    ({ drizzle: drizzlePglite } = await import('drizzle-orm/pglite'));
  } catch (err) {
    throw new DatabaseUnavailableError('the embedded database is not part of this build; set DATABASE_URL', {
      cause: err,
    });
  }
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const client = new PGlite(dataDir);
  await client.waitReady;
  return {
    db: drizzlePglite(client, { schema, casing: 'snake_case' }) as unknown as Db,
    kind: 'pglite',
    location: dataDir ?? 'memory',
    ping: async () => {
      await client.query('select 1');
    },
    close: () => client.close(),
    listen: async (channel, onNotify) => {
      const unlisten = await client.listen(channel, (payload) => onNotify(payload ?? ''));
      return async () => unlisten();
    },
  };
}
