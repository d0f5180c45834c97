import { context, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import type { Logger } from '../log';
import { continueTrace, useAsyncContext, withRequestScope } from '../telemetry/context';
import { failed, tracer } from '../telemetry/spans';
import { nodeResponse, requestHeader } from './headers';
import type { HttpMetrics } from './metrics';
import type { AppEnv } from './types';

/** What hono/request-id accepts from a client; anything else gets a fresh id. */
const SANE_REQUEST_ID = /^[\w\-=]{1,255}$/;

/**
 * What every request of every app gets, in one middleware (each Hono middleware layer costs ~1–2 µs): an id (a
 * sane `X-Request-Id` is kept), `nosniff` and a `Referrer-Policy` (a route may set its own), a server span, a
 * logger, one request line and the request metrics. Nothing here is made per request that can be made once.
 *
 * The span continues the caller's trace (`traceparent`; for a binary-mode CloudEvent without one, its
 * `ce-traceparent`) and is named by the route pattern once routing is done; its attributes are the method, the
 * route and the status, never the path, which may hold an invitation token or a cursor. The span and the request
 * (id, function) are the active context below, so every line logged while serving it, by `c.var.log` or any other
 * logger, carries `reqId` and `traceId` (shared/log's mixin); `c.var.log` is the app's logger itself.
 *
 * The request line goes through `access`, a child of the app's logger made once without redaction, because
 * pino's wildcard redaction costs ~13 µs a line: its fields are the id, method, path, status and duration, none
 * of them a name redaction looks for. Anything else a request logs goes through `c.var.log`, which redacts.
 */
export function edge(opts: { name: string; log: Logger; metrics: HttpMetrics }): MiddlewareHandler<AppEnv> {
  useAsyncContext();
  const access = opts.log.child({}, { redact: [] });
  return (c, next) => {
    const started = performance.now();
    const given = requestHeader(c, 'x-request-id');
    const reqId = given !== undefined && SANE_REQUEST_ID.test(given) ? given : crypto.randomUUID();
    c.set('requestId', reqId);
    c.set('log', opts.log);
    const { method } = c.req;
    // From the request alone, never the ambient context: an app called in process (the local dispatcher's
    // delivery) must not become part of the caller's trace unless the request says so.
    const parent = continueTrace(
      requestHeader(c, 'traceparent') ?? requestHeader(c, 'ce-traceparent'),
      withRequestScope(ROOT_CONTEXT, { function: opts.name, reqId }),
    );
    const span = tracer().startSpan(
      method,
      { kind: SpanKind.SERVER, attributes: { 'http.request.method': method } },
      parent,
    );
    return context.with(trace.setSpan(parent, span), async () => {
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
      try {
        await next();
      } catch (err) {
        failed(span, err);
        span.end();
        throw err;
      }
      if (!outgoing) {
        const headers = c.res.headers;
        headers.set('x-content-type-options', 'nosniff');
        if (!headers.has('referrer-policy')) headers.set('referrer-policy', 'no-referrer');
        if (!headers.has('x-request-id')) headers.set('x-request-id', reqId);
      }
      const ms = performance.now() - started;
      const status = c.res.status;
      // The route pattern, never the raw path, so ids neither explode label cardinality nor reach a span's name.
      const route = routePath(c) || 'unmatched';
      opts.metrics.record(method, route, status, ms / 1000);
      span.updateName(route === 'unmatched' ? method : `${method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      const path = c.req.path;
      const level = path === '/healthz' || path === '/readyz' ? 'debug' : 'info';
      if (access.isLevelEnabled(level)) {
        access[level]({ reqId, method, path, status, durationMs: Math.round(ms * 10) / 10 }, 'request');
      }
    });
  };
}
