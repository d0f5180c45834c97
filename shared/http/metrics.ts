import { collectDefaultMetrics, type Metric, Registry } from 'prom-client';

export type HttpMetrics = {
  registry: Registry;
  /** One finished request: `route` is the route pattern (never the raw path, so ids do not explode cardinality). */
  record: (method: string, route: string, status: number, seconds: number) => void;
};

type Labels = { function: string; method: string; route: string; status: string };
type Series = { labels: Labels; buckets: number[]; sum: number; count: number };

const REQUESTS = 'http_requests_total';
const DURATION = 'http_request_duration_seconds';
const BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * The request counter and duration histogram, as plain numbers per label set. prom-client's Counter and Histogram
 * validate and hash the label object on every observation (~2 µs a request for both); here a request finds its
 * series through maps keyed by the route pattern and method (strings the router and Node's parser reuse, whose
 * hashes are cached) and the numeric status, and the registry renders them, in prom-client's format, when scraped.
 */
class RequestSeries {
  /** In the order first seen, which is the order prom-client renders its series in. */
  readonly series: Series[] = [];

  recorder(fn: string): HttpMetrics['record'] {
    const byRoute = new Map<string, Map<string, Map<number, Series>>>();
    return (method, route, status, seconds) => {
      let byMethod = byRoute.get(route);
      if (!byMethod) {
        byMethod = new Map();
        byRoute.set(route, byMethod);
      }
      let byStatus = byMethod.get(method);
      if (!byStatus) {
        byStatus = new Map();
        byMethod.set(method, byStatus);
      }
      let s = byStatus.get(status);
      if (!s) {
        s = {
          labels: { function: fn, method, route, status: String(status) },
          buckets: BOUNDS.map(() => 0),
          sum: 0,
          count: 0,
        };
        byStatus.set(status, s);
        this.series.push(s);
      }
      for (let i = 0; i < BOUNDS.length; i++) {
        if (seconds <= BOUNDS[i]!) {
          s.buckets[i]! += 1;
          break;
        }
      }
      s.sum += seconds;
      s.count += 1;
    };
  }

  reset(): void {
    for (const s of this.series) {
      s.buckets.fill(0);
      s.sum = 0;
      s.count = 0;
    }
  }
}

type Value = {
  value: number;
  labels: Record<string, string | number>;
  sharedLabels?: Labels;
  metricName?: string;
};

/** What a Registry reads from a metric: the fields and methods prom-client's own metric classes have. */
class SeriesMetric {
  readonly aggregator = 'sum';
  constructor(
    readonly series: RequestSeries,
    public name: string,
    readonly help: string,
    readonly type: 'counter' | 'histogram',
    private readonly values: (s: Series) => Value[],
  ) {}

  /** For the text format: bucket lines name the series' labels apart, as prom-client's Histogram does. */
  async getForPromString() {
    const { name, help, type, aggregator } = this;
    const values = this.series.series.filter((s) => s.count > 0).flatMap(this.values);
    return { name, help, type, values, aggregator };
  }

  async get() {
    const metric = await this.getForPromString();
    const values = metric.values.map(({ sharedLabels, ...v }) => ({
      ...v,
      labels: { ...v.labels, ...sharedLabels },
    }));
    return { ...metric, values };
  }

  reset(): void {
    this.series.reset();
  }
}

function histogramValues(s: Series): Value[] {
  let cumulative = 0;
  const bucket = `${DURATION}_bucket`;
  return [
    ...BOUNDS.map((le, i) => {
      cumulative += s.buckets[i]!;
      return { labels: { le }, value: cumulative, metricName: bucket, sharedLabels: s.labels };
    }),
    { labels: { le: '+Inf' }, value: s.count, metricName: bucket, sharedLabels: s.labels },
    { labels: {}, value: s.sum, metricName: `${DURATION}_sum`, sharedLabels: s.labels },
    { labels: {}, value: s.count, metricName: `${DURATION}_count`, sharedLabels: s.labels },
  ];
}

/** The series of a registry: every app of the all-in-one process records into the same two metrics. */
function requestSeries(registry: Registry): RequestSeries {
  const existing = registry.getSingleMetric(REQUESTS) as unknown as { series?: RequestSeries } | undefined;
  if (existing?.series) return existing.series;
  const series = new RequestSeries();
  const metrics = [
    new SeriesMetric(series, REQUESTS, 'HTTP requests handled', 'counter', (s) => [
      { value: s.count, labels: s.labels },
    ]),
    new SeriesMetric(series, DURATION, 'HTTP request duration', 'histogram', histogramValues),
  ];
  // A registry takes any object with these fields; its types only name prom-client's own classes.
  for (const m of metrics) registry.registerMetric(m as unknown as Metric);
  return series;
}

/**
 * A registry per app by default, because tests create many apps in one process; a served process passes its
 * one registry (all apps of the all-in-one local server share it), so a single /metrics shows every function.
 */
export function createHttpMetrics(fn: string, opts: { registry?: Registry }): HttpMetrics {
  const registry = opts.registry ?? new Registry();
  return { registry, record: requestSeries(registry).recorder(fn) };
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
