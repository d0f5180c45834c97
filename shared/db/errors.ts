type PgLike = { code?: unknown; cause?: unknown; message?: unknown };

/** The SQLSTATE of a PostgreSQL error, whether raised through node-postgres, PGlite or wrapped by Drizzle. */
export function sqlState(err: unknown): string | undefined {
  for (let e = err as PgLike | undefined; e; e = e.cause as PgLike | undefined) {
    if (typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code)) return e.code;
  }
  return undefined;
}

export function isUniqueViolation(err: unknown): boolean {
  return sqlState(err) === '23505';
}

/**
 * Class 22, "data exception": a value the database cannot take (out of range, bad encoding, invalid text for a
 * type). It always comes from input that validation should have caught, so it is a 400, never a 500.
 */
export function isDataException(err: unknown): boolean {
  return sqlState(err)?.startsWith('22') ?? false;
}

/**
 * What may be logged of a database error: its SQLSTATE, the statement's shape (placeholders, never parameters)
 * and PostgreSQL's message with quoted values removed. Drizzle's own message carries the parameters, and
 * PostgreSQL's `detail` carries row values (emails, ids), so neither is kept.
 */
export function redactDbError(err: unknown): Record<string, unknown> | undefined {
  const state = sqlState(err);
  if (!state) return undefined;
  const out: Record<string, unknown> = { type: 'DatabaseError', code: state };
  type Link = PgLike & { query?: unknown; constraint?: unknown; table?: unknown };
  for (let e = err as Link | undefined; e; e = e.cause as Link | undefined) {
    if (typeof e.query === 'string') out.query ??= e.query;
    if (typeof e.code === 'string' && typeof e.message === 'string')
      out.message ??= e.message.replace(/"[^"]*"/g, '"…"');
    if (typeof e.constraint === 'string') out.constraint ??= e.constraint;
    if (typeof e.table === 'string') out.table ??= e.table;
  }
  return out;
}
