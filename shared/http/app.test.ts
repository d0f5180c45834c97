import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { ConflictError, DependencyUnavailableError } from '../errors';
import { createLogger } from '../log';
import { json } from '../testing/http';
import { capturedLogger } from '../testing/logs';
import { type CreateAppOptions, createApp } from './app';
import { metricsFetch } from './metrics';
import { commonResponses, createRoute, defineOperation, mountOperations } from './openapi';
import { NotReadyError } from './types';
import * as z from './zod';

const log = createLogger({ level: 'silent', name: 'test' });

const createThing = defineOperation(
  createRoute({
    method: 'post',
    path: '/things',
    request: {
      body: {
        required: true,
        content: {
          'application/json': { schema: z.object({ name: z.string().min(1), size: z.number().int() }) },
        },
      },
    },
    responses: { 201: { description: 'created' }, ...commonResponses },
  }),
  () => (c) => c.json({ created: c.req.valid('json').name }, 201),
);

const explode = defineOperation(
  createRoute({ method: 'get', path: '/explode', responses: { 200: { description: 'never' } } }),
  () => () => {
    throw new Error('relation "users" does not exist at 10.0.0.7:5432');
  },
);

const conflict = defineOperation(
  createRoute({ method: 'get', path: '/conflict', responses: { 200: { description: 'never' } } }),
  () => () => {
    throw new ConflictError('The name is taken.', 'WORKSPACE_NAME_TAKEN');
  },
);

function app(opts: Partial<CreateAppOptions> = {}) {
  return mountOperations(createApp({ name: 'test', log, ...opts }), [createThing, explode, conflict], {});
}

const post = (body: string, contentType = 'application/json') =>
  app().request('/things', { method: 'POST', body, headers: { 'content-type': contentType } });

describe('createApp', () => {
  it('accepts a valid JSON body', async () => {
    const res = await post(JSON.stringify({ name: 'a', size: 1 }));
    expect(res.status).toBe(201);
    expect(await json(res)).toEqual({ created: 'a' });
  });

  it('returns 400 MALFORMED_JSON problem+json for broken JSON', async () => {
    const res = await post('{"name": ');
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect(await json(res)).toMatchObject({ status: 400, code: 'MALFORMED_JSON', title: 'Bad Request' });
  });

  it('returns 400 UNSUPPORTED_MEDIA_TYPE for a body that is not JSON', async () => {
    const res = await post('name=a', 'application/x-www-form-urlencoded');
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect(body.detail).toContain('application/json');
  });

  it('accepts other media types only where the app says so', async () => {
    const res = await app({ bodyTypes: ['application/x-www-form-urlencoded'] }).request('/things', {
      method: 'POST',
      body: JSON.stringify({ name: 'a', size: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('returns 400 VALIDATION_FAILED with one entry per bad field', async () => {
    const res = await post(JSON.stringify({ name: '', size: 'big' }));
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['name', 'size']);
  });

  it('returns 413 for bodies over the limit', async () => {
    const res = await app({ maxBodyBytes: 64 }).request('/things', {
      method: 'POST',
      body: JSON.stringify({ name: 'x'.repeat(100), size: 1 }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(413);
    expect((await json(res)).code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('maps unknown errors to 500 INTERNAL without internals', async () => {
    const res = await app().request('/explode');
    expect(res.status).toBe(500);
    const text = await res.text();
    expect(JSON.parse(text)).toMatchObject({ code: 'INTERNAL', status: 500 });
    expect(text).not.toMatch(/relation|10\.0\.0\.7|users|stack|at /);
  });

  it('logs a 5xx AppError with the error it replaced, and no 4xx', async () => {
    const captured = capturedLogger();
    const a = createApp({ name: 'test', log: captured.log });
    a.get('/down', () => {
      throw new DependencyUnavailableError('Try again.', { cause: new Error('connect ECONNREFUSED') });
    });
    a.get('/taken', () => {
      throw new ConflictError('Taken.', 'WORKSPACE_NAME_TAKEN', { cause: new Error('duplicate key') });
    });
    expect((await a.request('/down')).status).toBe(503);
    expect((await a.request('/taken')).status).toBe(409);
    const failed = captured.lines.filter((l) => l.msg === 'request failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]!.err).toMatchObject({
      code: 'SERVICE_UNAVAILABLE',
      cause: { message: 'connect ECONNREFUSED' },
    });
  });

  it('maps AppErrors to their status and stable code', async () => {
    const res = await app().request('/conflict');
    expect(res.status).toBe(409);
    expect(await json(res)).toMatchObject({
      code: 'WORKSPACE_NAME_TAKEN',
      detail: 'The name is taken.',
      instance: '/conflict',
    });
  });

  it('returns 404 problem+json for unknown routes', async () => {
    const res = await app().request('/nope');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    expect((await json(res)).code).toBe('NOT_FOUND');
  });

  it('echoes a sane X-Request-Id and generates one otherwise', async () => {
    const given = await app().request('/healthz', { headers: { 'x-request-id': 'abc-123' } });
    expect(given.headers.get('x-request-id')).toBe('abc-123');
    const generated = await app().request('/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers /healthz without touching dependencies', async () => {
    const res = await app({ readiness: { db: () => Promise.reject(new Error('down')) } }).request('/healthz');
    expect(res.status).toBe(200);
  });

  it('reports readiness per dependency and 503 when one fails or hangs', async () => {
    const ok = await app({ readiness: { db: async () => {} } }).request('/readyz');
    expect(ok.status).toBe(200);
    expect(await json(ok)).toEqual({ status: 'ok', checks: { db: 'ok' } });

    const bad = await app({
      readinessTimeoutMs: 50,
      readiness: {
        db: async () => {},
        redis: () => Promise.reject(new Error('ECONNREFUSED')),
        nats: () => new Promise(() => {}),
      },
    }).request('/readyz');
    expect(bad.status).toBe(503);
    expect(await json(bad)).toEqual({
      status: 'unavailable',
      checks: { db: 'ok', redis: 'unavailable', nats: 'unavailable' },
    });
  });

  it('is not ready while draining', async () => {
    const a = app();
    a.state.draining = true;
    const res = await a.request('/readyz');
    expect(res.status).toBe(503);
    expect((await json(res)).checks.shutdown).toBe('draining');
  });

  it('records request metrics labelled by route pattern, served only by the metrics listener', async () => {
    const registry = new Registry();
    const a = app({ registry });
    await a.request('/conflict');
    await a.request('/things', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    // Never on the public port: the ingress would expose it to the internet.
    const pub = await a.request('/metrics');
    expect(pub.status).toBe(404);
    expect(pub.headers.get('content-type')).toBe('application/problem+json');
    const res = await metricsFetch(registry)(new Request('http://metrics/metrics'));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    expect(text).toContain(
      'http_requests_total{function="test",method="GET",route="/conflict",status="409"} 1',
    );
    expect(text).toContain('route="/things",status="400"');
    expect(text).toContain('http_request_duration_seconds_bucket');
    expect((await metricsFetch(registry)(new Request('http://metrics/healthz'))).status).toBe(404);
  });

  it('reports the state a readiness check names, such as a database that is not migrated', async () => {
    const res = await app({
      readiness: { database: () => Promise.reject(new NotReadyError('not migrated', 'lacks 0007')) },
    }).request('/readyz');
    expect(res.status).toBe(503);
    expect(await json(res)).toEqual({ status: 'unavailable', checks: { database: 'not migrated' } });
  });
});
