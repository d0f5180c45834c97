import { createHash } from 'node:crypto';
import { and, eq, lt, sql } from 'drizzle-orm';
import type { MiddlewareHandler } from 'hono';
import type { Db } from '../db';
import { idempotencyKeys } from '../db/schema';
import { BadRequestError, ConflictError, RuleViolationError } from '../errors';
import type { AppEnv } from './types';

const TTL_MS = 24 * 3600_000;
const KEY = /^[\x21-\x7e]{1,255}$/;

/**
 * Idempotency-Key on POST: the first response to (caller, method, path, key) is stored and replayed for a repeat
 * with the same body; a different body is 422, a repeat while the first is still running is 409. Failed attempts
 * (5xx or an exception) are forgotten so the client can retry.
 */
export function idempotency(db: Db, now: () => Date = () => new Date()): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const key = c.req.header('idempotency-key');
    if (c.req.method !== 'POST' || key === undefined) return next();
    if (!KEY.test(key))
      throw new BadRequestError(
        'INVALID_IDEMPOTENCY_KEY',
        'Idempotency-Key must be 1–255 visible ASCII characters.',
      );
    const scope = `${c.var.principal?.userId ?? 'anonymous'} POST ${c.req.path}`;
    const requestHash = createHash('sha256')
      .update(await c.req.text())
      .digest('base64url');
    await db.delete(idempotencyKeys).where(lt(idempotencyKeys.expiresAt, now()));
    const claimed = await db
      .insert(idempotencyKeys)
      .values({ scope, key, requestHash, expiresAt: new Date(now().getTime() + TTL_MS) })
      .onConflictDoNothing()
      .returning({ key: idempotencyKeys.key });
    const where = and(eq(idempotencyKeys.scope, scope), eq(idempotencyKeys.key, key));
    if (claimed.length === 0) {
      const [prior] = await db.select().from(idempotencyKeys).where(where);
      if (!prior)
        throw new ConflictError(
          'The earlier request with this Idempotency-Key just failed; retry.',
          'IDEMPOTENCY_RETRY',
        );
      if (prior.requestHash !== requestHash) {
        throw new RuleViolationError(
          'This Idempotency-Key was used with a different request body.',
          'IDEMPOTENCY_KEY_REUSED',
        );
      }
      if (prior.status === null)
        throw new ConflictError(
          'A request with this Idempotency-Key is still in progress.',
          'IDEMPOTENCY_IN_PROGRESS',
        );
      return new Response(prior.responseBody, {
        status: prior.status,
        headers: { ...(prior.responseHeaders as Record<string, string>), 'idempotent-replayed': 'true' },
      });
    }
    try {
      await next();
    } catch (err) {
      await db.delete(idempotencyKeys).where(where);
      throw err;
    }
    if (c.res.status >= 500 || c.error) {
      await db.delete(idempotencyKeys).where(where);
      return;
    }
    const body = await c.res.clone().text();
    const headers: Record<string, string> = {};
    for (const h of ['content-type', 'location']) {
      const v = c.res.headers.get(h);
      if (v) headers[h] = v;
    }
    await db
      .update(idempotencyKeys)
      .set({ status: c.res.status, responseBody: body, responseHeaders: headers, updatedAt: sql`now()` })
      .where(where);
  };
}
