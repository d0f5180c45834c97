import type { MiddlewareHandler } from 'hono';
import { routePath } from 'hono/route';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';

export type HttpMetrics = { registry: Registry; middleware: MiddlewareHandler };

const labelNames = ['function', 'method', 'route', 'status'] as const;

function counter(registry: Registry): Counter<(typeof labelNames)[number]> {
  const existing = registry.getSingleMetric('http_requests_total');
  if (existing) return existing as Counter<(typeof labelNames)[number]>;
  return new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests handled',
    labelNames,
    registers: [registry],
  });
}

function histogram(registry: Registry): Histogram<(typeof labelNames)[number]> {
  const existing = registry.getSingleMetric('http_request_duration_seconds');
  if (existing) return existing as Histogram<(typeof labelNames)[number]>;
  return new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
}

/**
 * A registry per app by default, because tests create many apps in one process; a served process passes its
 * one registry (all apps of the all-in-one local server share it), so a single /metrics shows every function.
 */
export function createHttpMetrics(fn: string, opts: { registry?: Registry }): HttpMetrics {
  const registry = opts.registry ?? new Registry();
  const requests = counter(registry);
  const duration = histogram(registry);
  const middleware: MiddlewareHandler = async (c, next) => {
    const end = duration.startTimer();
    await next();
    // The route pattern, never the raw path, so ids do not explode label cardinality.
    const labels = {
      function: fn,
      method: c.req.method,
      route: routePath(c) || 'unmatched',
      status: String(c.res.status),
    };
    end(labels);
    requests.inc(labels);
  };
  return { registry, middleware };
}

/**
 * The metrics listener's handler: `/metrics` and nothing else. It lives on METRICS_PORT, apart from the public
 * app, so the ingress never exposes it and scrapes never appear in request logs or request metrics.
 */
export function metricsFetch(registry: Registry): (req: Request) => Promise<Response> {
  return async (req) => {
    const { pathname } = new URL(req.url);
    if (pathname !== '/metrics') return new Response('not found\n', { status: 404 });
    if (req.method !== 'GET' && req.method !== 'HEAD')
      return new Response('method not allowed\n', { status: 405, headers: { allow: 'GET, HEAD' } });
    return new Response(req.method === 'HEAD' ? null : await registry.metrics(), {
      headers: { 'content-type': registry.contentType },
    });
  };
}

/** One registry per process with the process-wide metrics (CPU, heap, event loop), which exist once. */
export function processRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  return registry;
}
