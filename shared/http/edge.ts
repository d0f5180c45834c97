import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../log';
import { nodeResponse, requestHeader } from './headers';
import type { HttpMetrics } from './metrics';
import type { AppEnv } from './types';

/** What hono/request-id accepts from a client; anything else gets a fresh id. */
const SANE_REQUEST_ID = /^[\w\-=]{1,255}$/;

/** The child behind a request's `c.var.log`, made on first use. */
class LazyChild {
  #child: Logger | undefined;
  constructor(
    private readonly parent: Logger,
    private readonly reqId: string,
  ) {}
  get logger(): Logger {
    this.#child ??= this.parent.child({ reqId: this.reqId });
    return this.#child;
  }
}

// One handler for every request: closures made per request cost a defineProperty each under keepNames.
const lazyChildHandler: ProxyHandler<LazyChild> = {
  get(lazy, key) {
    const logger = lazy.logger;
    const value = Reflect.get(logger, key, logger);
    return typeof value === 'function' ? value.bind(logger) : value;
  },
  set: (lazy, key, value) => Reflect.set(lazy.logger, key, value),
  has: (lazy, key) => Reflect.has(lazy.logger, key),
  getPrototypeOf: (lazy) => Reflect.getPrototypeOf(lazy.logger),
};

/**
 * The request's logger for handlers (`c.var.log`): a child carrying `reqId`, made when first used, because a pino
 * child costs ~3 µs (its bindings go through redaction) and most requests log nothing but their request line.
 */
function requestLogger(parent: Logger, reqId: string): Logger {
  return new Proxy(new LazyChild(parent, reqId), lazyChildHandler) as unknown as Logger;
}

/**
 * What every request of every app gets, in one middleware (each Hono middleware layer costs ~1–2 µs): an id (a
 * sane `X-Request-Id` is kept), `nosniff` and a `Referrer-Policy` (a route may set its own), a logger, one
 * request line and the request metrics. Nothing here is made per request that can be made once.
 *
 * The request line goes through `access`, a child of the app's logger made once without redaction, because
 * pino's wildcard redaction costs ~13 µs a line: its fields are the id, method, path, status and duration, none
 * of them a name redaction looks for. Anything else a request logs goes through `c.var.log`, which redacts.
 */
export function edge(opts: { log: Logger; metrics: HttpMetrics }): MiddlewareHandler<AppEnv> {
  const access = opts.log.child({}, { redact: [] });
  return async (c, next) => {
    const started = performance.now();
    const given = requestHeader(c, 'x-request-id');
    const reqId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', reqId);
    c.set('log', requestLogger(opts.log, reqId));
    // On every response, errors and probes included: no MIME sniffing, and no URL (which may hold an invitation
    // token or a cursor) leaked to other sites through the Referer header.
    const outgoing = nodeResponse(c);
    if (outgoing) {
      // node-server gives a Response without a Content-Type this one when it copies the Response's headers, as it
      // did for every response while headers were set on `c.res`; a Response it writes as is gets it from here.
      outgoing.setHeader('content-type', 'text/plain; charset=UTF-8');
      outgoing.setHeader('x-content-type-options', 'nosniff');
      outgoing.setHeader('referrer-policy', 'no-referrer');
      outgoing.setHeader('x-request-id', reqId);
    }
    await next();
    if (!outgoing) {
      const headers = c.res.headers;
      headers.set('x-content-type-options', 'nosniff');
      if (!headers.has('referrer-policy')) headers.set('referrer-policy', 'no-referrer');
      if (!headers.has('x-request-id')) headers.set('x-request-id', reqId);
    }
    const ms = performance.now() - started;
    const { method, path } = c.req;
    const status = c.res.status;
    // The route pattern, never the raw path, so ids do not explode label cardinality.
    opts.metrics.record(method, routePath(c) || 'unmatched', status, ms / 1000);
    const level = path === '/healthz' || path === '/readyz' ? 'debug' : 'info';
    if (access.isLevelEnabled(level)) {
      access[level]({ reqId, method, path, status, durationMs: Math.round(ms * 10) / 10 }, 'request');
    }
  };
}
