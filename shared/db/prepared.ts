import type { Db } from './client';

const statements = new WeakMap<Db, Map<string, unknown>>();

/**
 * A named prepared statement per database handle, built once. For the fixed-shape queries every request runs:
 * Drizzle builds the SQL once per process instead of per call, and PostgreSQL parses and plans it once per
 * connection (measured on the token exchange's issuer query: 0.76 → 0.12 ms per call, docs/benchmarks.md).
 * Values go in as `sql.placeholder(name)`. Not for transactions: a `tx` handle lives for one transaction.
 */
export function prepared<T>(db: Db, name: string, build: (db: Db) => T): T {
  let byName = statements.get(db);
  if (!byName) {
    byName = new Map();
    statements.set(db, byName);
  }
  let statement = byName.get(name) as T | undefined;
  if (!statement) {
    statement = build(db);
    byName.set(name, statement);
  }
  return statement;
}
