import { randomUUID } from 'node:crypto';
import { HTTP } from 'cloudevents';
import { beforeAll, describe, expect, it } from 'vitest';
import { toCloudEvent } from '../events/cloudevents';
import { createDispatcher, deliverOnce } from '../events/dispatcher';
import { ensureStream, jetStreamPublisher } from '../events/jetstream';
import { connectNats } from '../events/nats';
import { createApp } from '../http/app';
import { createLogger } from '../log';
import { startPrivateNats } from '../testing/nats';
import { useOtlpReceiver } from '../testing/otlp';
import { usePlatform } from '../testing/platform';
import { flushTelemetry, installTelemetry } from '.';
import { activeTraceparent, formatTraceparent, parseTraceparent } from './context';

const log = createLogger({ level: 'silent', name: 'test' });
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const CALLER_SPAN = '00f067aa0ba902b7';

/** The spans the receiver has, once the exporter sent them (flushed now rather than after its 5 s batch delay). */
async function received<T>(read: () => T | undefined): Promise<T> {
  let found: T | undefined;
  await expect
    .poll(
      async () => {
        await flushTelemetry();
        found = read();
        return found;
      },
      { timeout: 20_000, interval: 200 },
    )
    .toBeDefined();
  return found!;
}

// One process, one provider: this file installs the exporting one first, as a function's process does at start;
// the platform built after it (for the dispatcher's dead-letter table) finds it installed and keeps it.
const first = useOtlpReceiver();
const second = useOtlpReceiver();
beforeAll(() => installTelemetry({ serviceName: 'orders', endpoint: `${first().url}/` }));
const platform = usePlatform();

describe('telemetry exported over OTLP/HTTP', () => {
  const app = () => {
    const a = createApp({ name: 'orders', log });
    a.get('/orders/:id', (c) => c.json({ id: c.req.param('id') }));
    a.get('/broken', () => {
      throw new Error('failed on ord-secret-77');
    });
    return a;
  };

  it("sends each request as a server span named by its route, in the caller's trace, as the function's service", async () => {
    const res = await app().request('/orders/ord-secret-42?cursor=abc', {
      headers: { traceparent: `00-${TRACE_ID}-${CALLER_SPAN}-01` },
    });
    expect(res.status).toBe(200);
    const span = await received(() => first().spans.find((s) => s.name === 'GET /orders/:id'));
    expect(span).toMatchObject({
      service: 'orders',
      traceId: TRACE_ID,
      parentSpanId: CALLER_SPAN,
      kind: 2,
      status: 0,
      attributes: {
        'http.request.method': 'GET',
        'http.route': '/orders/:id',
        'http.response.status_code': 200,
      },
    });
    // The path's ids and query never leave the process: only the route pattern does.
    expect(JSON.stringify(first().spans)).not.toMatch(/ord-secret-42|cursor/);
    expect(new Set(first().paths)).toEqual(new Set(['/v1/traces']));
  });

  it('starts a new trace for a request without traceparent, and marks a 5xx failed without its message', async () => {
    expect((await app().request('/broken')).status).toBe(500);
    const span = await received(() => first().spans.find((s) => s.name === 'GET /broken'));
    expect(span.traceId).toMatch(/^[0-9a-f]{32}$/);
    expect(span.traceId).not.toBe(TRACE_ID);
    expect(span.parentSpanId).toBeUndefined();
    expect(span).toMatchObject({ status: 2, attributes: { 'http.response.status_code': 500 } });
    expect(JSON.stringify(first().spans)).not.toContain('ord-secret-77');
  });

  it('keeps the first installation: a second one changes neither the service name nor where spans go', async () => {
    await installTelemetry({ serviceName: 'intruder', endpoint: second().url });
    const traceId = 'aaaabbbbccccddddeeeeffff00001111';
    await app().request('/orders/o-1', { headers: { traceparent: `00-${traceId}-${CALLER_SPAN}-01` } });
    const span = await received(() => first().spans.find((s) => s.traceId === traceId));
    expect(span.service).toBe('orders');
    await flushTelemetry();
    expect(second().spans).toEqual([]);
  });
});

describe('the traceparent of an event', () => {
  const row = (traceparent: string | null) => ({
    id: randomUUID(),
    seq: 1,
    type: 'ai.hexabase.test.traced',
    source: '/hexabase/test',
    subject: 'thing-1',
    data: { thingId: 'thing-1' },
    createdAt: new Date(),
    sentAt: null,
    attempts: 0,
    lastError: null,
    traceparent,
  });

  it('is the CloudEvent extension, sent as ce-traceparent and traceparent on a binary-mode delivery', async () => {
    const traceparent = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
    const event = toCloudEvent(row(traceparent));
    expect(event.traceparent).toBe(traceparent);
    // Structured mode (NATS) keeps it inside the event.
    expect(JSON.parse(HTTP.structured(event).body as string)).toMatchObject({ traceparent });
    const seen: Headers[] = [];
    const outcome = await deliverOnce(
      {
        name: 'test',
        function: 'test',
        path: '/events',
        types: ['*'],
        deliver: async (req) => {
          seen.push(req.headers);
          return new Response(null, { status: 200 });
        },
      },
      event,
      5000,
    );
    expect(outcome).toEqual({ kind: 'ack' });
    expect(seen[0]!.get('ce-traceparent')).toBe(traceparent);
    expect(seen[0]!.get('traceparent')).toBe(traceparent);
  });

  it("crosses NATS JetStream inside the event, and the worker's server span continues it", async () => {
    const nats = await startPrivateNats();
    const handle = await connectNats(nats.url, 'telemetry-test');
    try {
      await ensureStream(handle.nc);
      const seen: (string | undefined)[] = [];
      const worker = createApp({ name: 'worker', log });
      worker.post('/events', (c) => {
        seen.push(activeTraceparent());
        return c.body(null, 204);
      });
      const dispatcher = createDispatcher({
        db: platform().db,
        log,
        nats: handle.nc,
        triggers: [
          {
            name: 'traced-worker',
            function: 'worker',
            path: '/events',
            types: ['ai.hexabase.test.traced'],
            deliver: (req) => Promise.resolve(worker.fetch(req)),
          },
        ],
      });
      await dispatcher.ready;
      const traceId = 'cafebabecafebabecafebabecafebabe';
      await jetStreamPublisher(handle.nc)(toCloudEvent(row(`00-${traceId}-${CALLER_SPAN}-01`)));
      await expect.poll(() => seen.length, { timeout: 20_000 }).toBe(1);
      await dispatcher.stop();
      // The worker's code ran in a span of the event's trace: its own server span, a child of the event's.
      expect(parseTraceparent(seen[0])).toMatchObject({ traceId });
      const span = await received(() =>
        first().spans.find((s) => s.traceId === traceId && s.name === 'POST /events'),
      );
      expect(span).toMatchObject({ parentSpanId: CALLER_SPAN, kind: 2 });
      expect(parseTraceparent(seen[0])!.spanId).toBe(span.spanId);
    } finally {
      await handle.close();
      await nats.stop();
    }
  });

  it('is left out when the change was made outside any trace', () => {
    const event = toCloudEvent(row(null));
    expect(event.traceparent).toBeUndefined();
    expect(HTTP.binary(event).headers).not.toHaveProperty('ce-traceparent');
  });

  it('is W3C trace context: read and written alike, anything malformed or all-zero ignored', () => {
    const value = `00-${TRACE_ID}-${CALLER_SPAN}-01`;
    expect(formatTraceparent(parseTraceparent(value))).toBe(value);
    expect(parseTraceparent(`01-${TRACE_ID}-${CALLER_SPAN}-00-later-fields`)).toMatchObject({
      traceId: TRACE_ID,
      traceFlags: 0,
    });
    for (const bad of [
      undefined,
      42,
      '',
      `ff-${TRACE_ID}-${CALLER_SPAN}-01`,
      `00-${TRACE_ID}-${CALLER_SPAN}-01-extra`,
      `00-${'0'.repeat(32)}-${CALLER_SPAN}-01`,
      `00-${TRACE_ID}-${'0'.repeat(16)}-01`,
      `00-${TRACE_ID.toUpperCase()}-${CALLER_SPAN}-01`,
    ])
      expect(parseTraceparent(bad)).toBeUndefined();
  });
});
