import { getConnInfo } from '@hono/node-server/conninfo';
import type { Context, MiddlewareHandler } from 'hono';
import { parse as parseCookies } from 'hono/utils/cookie';
import type { Cache } from '../cache';
import type { Db } from '../db';
import { RateLimitedError, UnauthenticatedError } from '../errors';
import { requestHeader } from '../http/headers';
import { idempotency } from '../http/idempotency';
import type { AppEnv, SignedInEnv } from '../http/types';
import { authenticateToken } from './authenticate';
import type { AuthContext, RequestMeta } from './context';

import { csrfProtection } from './csrf';

export { CSRF_FIELD, csrfProtection } from './csrf';

export const COOKIES = { access: 'hxb_at', refresh: 'hxb_rt', csrf: 'hxb_csrf' } as const;

/** Behind a trusted proxy the client is the first X-Forwarded-For hop; otherwise the socket peer. */
export function clientIp(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const first = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (first) return first;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/** The signed-in caller as the actor of audit rows. */
export function actorOf(c: Context<SignedInEnv>, trustProxy: boolean) {
  return { userId: c.var.principal.userId, requestId: c.var.requestId, ip: clientIp(c, trustProxy) };
}

export function requestMeta(c: Context<AppEnv> | Context<SignedInEnv>, trustProxy: boolean): RequestMeta {
  return {
    requestId: c.var.requestId,
    ip: clientIp(c, trustProxy),
    userAgent: c.req.header('user-agent') ?? '',
  };
}

/**
 * Sets `principal` from a bearer token or the session cookie. An invalid bearer token is a 401 at once (falling
 * back to anonymous would turn an expired token into confusing 404s); an expired session cookie is routine for
 * browsers, which then refresh, so it only leaves the request anonymous.
 */
export function authenticate(auth: AuthContext): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    // Read without building the request's Headers, which an anonymous request may never need.
    const header = requestHeader(c, 'authorization');
    if (header !== undefined) {
      const [scheme, token] = header.split(' ');
      if (scheme?.toLowerCase() !== 'bearer' || !token) {
        throw new UnauthenticatedError('Use "Authorization: Bearer <token>".', 'INVALID_TOKEN');
      }
      c.set('principal', await authenticateToken(auth, token, 'bearer'));
    } else {
      const cookies = requestHeader(c, 'cookie');
      const cookie = cookies ? parseCookies(cookies, COOKIES.access)[COOKIES.access] : undefined;
      if (cookie) {
        const principal = await authenticateToken(auth, cookie, 'cookie').catch((err) => {
          if (err instanceof UnauthenticatedError) return undefined;
          throw err;
        });
        if (principal) c.set('principal', principal);
      }
    }
    return next();
  };
}

export function requireAuth(): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    if (!c.var.principal) throw new UnauthenticatedError();
    return next();
  };
}

/**
 * Fixed-window limits per client address and, when signed in, per user. A cache outage disables limiting rather
 * than sign-in: availability of login outranks throttling.
 */
export function rateLimit(
  cache: Cache,
  opts: { name: string; limit: number; windowSeconds: number; trustProxy: boolean },
): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    const window = Math.floor(Date.now() / 1000 / opts.windowSeconds);
    const keys = [`rl:${opts.name}:ip:${clientIp(c, opts.trustProxy)}:${window}`];
    if (c.var.principal) keys.push(`rl:${opts.name}:user:${c.var.principal.userId}:${window}`);
    try {
      const counts = await Promise.all(keys.map((k) => cache.incr(k, opts.windowSeconds)));
      if (counts.some((n) => n > opts.limit)) {
        const retry = opts.windowSeconds - (Math.floor(Date.now() / 1000) % opts.windowSeconds);
        c.header('Retry-After', String(retry));
        throw new RateLimitedError(retry);
      }
    } catch (err) {
      if (err instanceof RateLimitedError) throw err;
      c.var.log.warn({ err: (err as Error).message, limiter: opts.name }, 'rate limiter unavailable');
    }
    return next();
  };
}

/**
 * The guard of every signed-in API: who is calling, 401 for nobody, the CSRF check for cookie sessions, and
 * Idempotency-Key replay, in that order (a replayed answer is only ever given to the caller who earned it).
 */
export function signedInApi(auth: AuthContext, db: Db): MiddlewareHandler<AppEnv>[] {
  return [authenticate(auth), requireAuth(), csrfProtection(auth), idempotency(db)];
}
