import * as z from 'zod';
import { BadRequestError } from '../errors';

/**
 * Keyset paging for the domain verbs: what a page asks for, what it returns, and the opaque cursor between pages.
 * The HTTP layer only declares the query parameters (shared/http/pagination).
 */
export const DEFAULT_LIMIT = 50;
export const MAX_LIMIT = 200;

export type PageInput = { limit: number; cursor?: string | undefined };

/**
 * An RFC 3339 instant PostgreSQL can store: years 1 to 9999 (JavaScript accepts year 0, PostgreSQL does not). Used
 * for query filters and inside cursors, which are checked after decoding like any other input.
 */
export const Instant = z.iso.datetime({ offset: true }).refine(
  (v) => {
    const year = new Date(v).getUTCFullYear();
    return year >= 1 && year <= 9999;
  },
  { message: 'expected an RFC 3339 time between years 1 and 9999' },
);

/** The sort key most lists page by: creation time, then id. */
export const TimeIdCursor = z.tuple([Instant, z.string().regex(/^[a-z0-9-]{1,64}$/)]);

export type Page<T> = { items: T[]; nextCursor: string | null };

/** Cursors are opaque to clients: base64url JSON of the last row's sort key. */
export function encodeCursor(key: unknown[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor<T extends unknown[]>(
  cursor: string | undefined,
  shape: z.ZodType<T>,
): T | undefined {
  if (cursor === undefined) return undefined;
  try {
    return shape.parse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
  } catch (err) {
    throw new BadRequestError(
      'INVALID_CURSOR',
      'The cursor is not one this API issued; start from the first page.',
      { cause: err },
    );
  }
}

/** Callers fetch limit + 1 rows; the extra row only tells whether another page exists. */
export function toPage<R, T>(rows: R[], limit: number, map: (r: R) => T, key: (r: R) => unknown[]): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(key(last)) : null };
}
