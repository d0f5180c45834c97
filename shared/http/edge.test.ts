import { Writable } from 'node:stream';
import { Hono } from 'hono';
import { Counter, Histogram, Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError, ConflictError, NotFoundError } from '../errors';
import { createLogger } from '../log';
import { createApp, type HexabaseApp } from './app';
import { requestHeader } from './headers';
import { createHttpMetrics, metricsFetch } from './metrics';
import { listen, type Served } from './serve';

/** Log lines as parsed objects, for reading what a request wrote. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { lines, log: createLogger({ level: 'info', name: 'edge', destination: destination as never }) };
}

function testApp(log = createLogger({ level: 'silent', name: 'edge' })): HexabaseApp {
  const app = createApp({ name: 'edge', log });
  app.get('/text', (c) => c.text('text'));
  app.get('/raw', () => new Response('raw', { headers: { 'x-raw': '1' } }));
  app.get('/own-referrer', (c) => c.text('own', 200, { 'referrer-policy': 'same-origin' }));
  app.get('/conflict', () => {
    throw new ConflictError('taken');
  });
  app.get('/logs', (c) => {
    c.var.log.info({ email: 'ada@example.com', note: 'kept' }, 'handler line');
    return c.body(null, 204);
  });
  return app;
}

/** The headers the edge sets or a route may set; Content-Type depends on which Response class made the answer. */
const comparable = (res: Response) =>
  Object.fromEntries(
    ['x-content-type-options', 'referrer-policy', 'x-raw', 'cache-control'].map((k) => [
      k,
      res.headers.get(k),
    ]),
  );

describe('the request path under Node and called directly', () => {
  const app = testApp();
  let served: Served;
  beforeAll(async () => {
    served = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
  });
  afterAll(() => served.close());
  const overHttp = (path: string, headers: Record<string, string> = {}) =>
    fetch(`http://127.0.0.1:${served.port}${path}`, { headers });

  it('sends the same headers both ways, with an X-Request-Id on every response, errors included', async () => {
    for (const path of ['/healthz', '/text', '/raw', '/own-referrer', '/conflict', '/nowhere']) {
      const [direct, http] = [await app.request(path), await overHttp(path)];
      expect(http.status, path).toBe(direct.status);
      expect(comparable(http), path).toEqual(comparable(direct));
      for (const res of [direct, http]) {
        expect(res.headers.get('x-content-type-options'), path).toBe('nosniff');
        expect(res.headers.get('x-request-id'), path).toMatch(/^[0-9a-f-]{36}$/);
      }
    }
    expect((await overHttp('/own-referrer')).headers.get('referrer-policy')).toBe('same-origin');
    // As node-server did when the old middleware copied every Response's headers.
    expect((await overHttp('/raw')).headers.get('content-type')).toBe('text/plain; charset=UTF-8');
    expect((await overHttp('/text')).headers.get('referrer-policy')).toBe('no-referrer');
  });

  it('keeps a sane X-Request-Id from the client and replaces any other', async () => {
    expect((await overHttp('/healthz', { 'x-request-id': 'abc-123' })).headers.get('x-request-id')).toBe(
      'abc-123',
    );
    for (const bad of ['has space', 'x'.repeat(256), 'semi;colon'])
      expect((await overHttp('/healthz', { 'x-request-id': bad })).headers.get('x-request-id')).toMatch(
        /^[0-9a-f-]{36}$/,
      );
  });
});

describe('requestHeader', () => {
  it('reads repeated headers as the Fetch API joins them, under Node and without it', async () => {
    const app = new Hono().get('/', (c) =>
      c.json({
        authorization: requestHeader(c, 'authorization') ?? null,
        cookie: requestHeader(c, 'cookie') ?? null,
        padded: requestHeader(c, 'x-padded') ?? null,
        missing: requestHeader(c, 'x-missing') ?? null,
        fetch: {
          authorization: c.req.header('authorization') ?? null,
          cookie: c.req.header('cookie') ?? null,
          padded: c.req.header('x-padded') ?? null,
          missing: c.req.header('x-missing') ?? null,
        },
      }),
    );
    const served = await listen(app.fetch, { port: 0, host: '127.0.0.1' });
    try {
      // Raw header lines, so that the repeats reach the server as sent.
      const { request } = await import('node:http');
      const body = await new Promise<string>((resolve, reject) => {
        const req = request(
          {
            host: '127.0.0.1',
            port: served.port,
            path: '/',
            headers: [
              'Host',
              `127.0.0.1:${served.port}`,
              'Authorization',
              'Bearer a',
              'authorization',
              'Bearer b',
              'Cookie',
              'x=1',
              'cookie',
              'hxb_at=t',
              'X-Padded',
              'v',
            ],
          },
          (res) => {
            let text = '';
            res.on('data', (d) => {
              text += d;
            });
            res.on('end', () => resolve(text));
          },
        );
        req.on('error', reject);
        req.end();
      });
      const { fetch: viaFetch, ...viaNode } = JSON.parse(body);
      expect(viaNode).toEqual(viaFetch);
      expect(viaNode).toEqual({
        authorization: 'Bearer a, Bearer b',
        cookie: 'x=1; hxb_at=t',
        padded: 'v',
        missing: null,
      });
    } finally {
      await served.close();
    }
  });
});

describe('request logging', () => {
  it('writes one request line with the id, function and trace, and redacted handler lines with the same', async () => {
    const { lines, log } = capture();
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const res = await testApp(log).request('/logs', {
      headers: { 'x-request-id': 'req-1', traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    });
    expect(res.status).toBe(204);
    const handler = lines.find((l) => l.msg === 'handler line')!;
    expect(handler).toMatchObject({ reqId: 'req-1', function: 'edge', traceId, note: 'kept' });
    expect(handler).not.toHaveProperty('email');
    const request = lines.find((l) => l.msg === 'request')!;
    expect(Object.keys(request).sort()).toEqual(
      [
        'durationMs',
        'function',
        'level',
        'method',
        'msg',
        'path',
        'pid',
        'reqId',
        'spanId',
        'status',
        'time',
        'traceId',
      ].sort(),
    );
    expect(request).toMatchObject({
      level: 'info',
      function: 'edge',
      traceId,
      reqId: 'req-1',
      method: 'GET',
      path: '/logs',
      status: 204,
    });
  });

  it('logs probes at debug only', async () => {
    const { lines, log } = capture();
    await testApp(log).request('/healthz');
    expect(lines.filter((l) => l.msg === 'request')).toEqual([]);
  });
});

describe('request metrics', () => {
  it("render exactly as prom-client's Counter and Histogram would, shared by the apps of one registry", async () => {
    const labelNames = ['function', 'method', 'route', 'status'] as const;
    const reference = new Registry();
    const counter = new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests handled',
      labelNames,
      registers: [reference],
    });
    const histogram = new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration',
      labelNames,
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [reference],
    });
    const registry = new Registry();
    const apps = { a: createHttpMetrics('a', { registry }), b: createHttpMetrics('b', { registry }) };
    const routes = ['/healthz', '/things/:id', '/*', 'unmatched'];
    for (let i = 0; i < 500; i++) {
      const fn = i % 3 ? 'a' : 'b';
      const [method, route, status] = [i % 4 ? 'GET' : 'POST', routes[i % 4]!, [200, 404, 500][i % 3]!];
      // Bounds themselves, zero and values past the last bucket included.
      const seconds = [0, 0.005, 5, 7.5][i % 4]! + (i % 7) / 1000;
      const labels = { function: fn, method, route, status: String(status) };
      histogram.observe(labels, seconds);
      counter.inc(labels);
      apps[fn].record(method, route, status, seconds);
    }
    const scrape = async (r: Registry) => (await metricsFetch(r)(new Request('http://m/metrics'))).text();
    expect(await scrape(registry)).toBe(await scrape(reference));
  });
});

describe('AppError', () => {
  it('captures no stack for a 4xx, which is an answer, and keeps one for a 5xx', () => {
    expect(new NotFoundError().stack).toBe('NotFoundError: The resource does not exist.');
    expect(new AppError(503, 'SERVICE_UNAVAILABLE', 'Service Unavailable').stack).toMatch(/\n\s+at /);
    expect(new Error('plain').stack).toMatch(/\n\s+at /);
  });
});
