import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, request, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Stripe from 'stripe';
import { Supervisor, waitFor } from './kube/supervisor';

/**
 * Stripe for tests: Stripe's own stripe-mock (built by scripts/stripe-mock/build.sh) validates every request
 * against Stripe's OpenAPI spec and answers fixtures, but keeps no state. "The world" is a small HTTP server in
 * front of it that forwards every request unchanged and adds only what Stripe would hold and stripe-mock cannot:
 * objects as the test says they are (`set`), list answers (`list`), outages (`fail`), and a record of requests.
 */

export type RecordedRequest = {
  method: string;
  /** Without the query string. */
  path: string;
  idempotencyKey: string | undefined;
  /** The form body (or the query of a GET/DELETE) decoded as Stripe encodes it; every leaf is a string. */
  params: Record<string, unknown>;
};

export type StripeWorld = {
  /** The front's base URL, what STRIPE_API_URL points at. */
  url: string;
  env: { STRIPE_SECRET_KEY: string; STRIPE_API_URL: string; STRIPE_WEBHOOK_SECRET: string };
  webhookSecret: string;
  requests: RecordedRequest[];
  /** Deep-merges `fields` into every answer (retrieve, update, list item) of the object with this id. */
  set: (id: string, fields: Record<string, unknown>) => void;
  /** GET `path` answers these objects, each over stripe-mock's first fixture item; limit/starting_after apply. */
  list: (path: string, items: Record<string, unknown>[]) => void;
  /** Matching requests answer `status` (0: the connection drops) until heal(). */
  fail: (match: { method?: string; path: RegExp }, status: number, body?: unknown) => void;
  heal: () => void;
  /** Forgets requests, state, lists and failures. */
  reset: () => void;
  stop: () => Promise<void>;
};

const root = join(import.meta.dirname, '../..');
const SECRET_KEY = 'sk_test_hexabase';

/** Where scripts/stripe-mock/build.sh puts the binary (it honours HEXABASE_STRIPE_MOCK_DIR); never builds. */
export function stripeMockPath(): string {
  return execFileSync('bash', [join(root, 'scripts/stripe-mock/build.sh'), '--print-path'], {
    encoding: 'utf8',
  }).trim();
}

/** A signing secret in the shape STRIPE_WEBHOOK_SECRET accepts. */
export const newWebhookSecret = () => `whsec_${randomBytes(24).toString('hex')}`;

export async function startStripe(): Promise<StripeWorld> {
  const bin = stripeMockPath();
  if (!existsSync(bin))
    throw new Error(`stripe-mock is not built (${bin} is missing): run bash scripts/stripe-mock/build.sh`);
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-stripe-'));
  // A Unix socket, not a port: no free-port race between parallel files, and stripe-mock's -http-addr would
  // still open its default HTTPS port 12112 (only -http-port/-http-unix turn that off).
  const socketPath = join(dir, 'stripe-mock.sock');
  const supervisor = new Supervisor(dir);
  const child = supervisor.start('stripe-mock', bin, ['-http-unix', socketPath]);
  // Any HTTP answer means it serves (unauthenticated `/` is a 401).
  await waitFor(
    'stripe-mock',
    () => upstream(socketPath, { method: 'GET', path: '/', headers: {} }, Buffer.alloc(0)),
    {
      timeoutMs: 15_000,
      intervalMs: 50,
      failed: () =>
        child.exitCode !== null
          ? `exited ${child.exitCode}\n${supervisor.logTail('stripe-mock')}`
          : undefined,
    },
  ).catch(async (err) => {
    await supervisor.stopAll();
    throw err;
  });

  const requests: RecordedRequest[] = [];
  const state = new Map<string, Record<string, unknown>>();
  const lists = new Map<string, Record<string, unknown>[]>();
  /** Idempotency key → the answer given, as Stripe keeps it (kept across reset(), as Stripe keeps it 24 h). */
  const replays = new Map<string, { path: string; body: string; answer: string }>();
  let failures: { method?: string; path: RegExp; status: number; body?: unknown }[] = [];

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const body = Buffer.concat(await req.toArray());
    const url = new URL(req.url ?? '/', 'http://stripe');
    const method = req.method ?? 'GET';
    const idem = req.headers['idempotency-key'];
    requests.push({
      method,
      path: url.pathname,
      idempotencyKey: Array.isArray(idem) ? idem[0] : idem,
      params: decodeStripeForm(body.length > 0 ? body.toString('utf8') : url.search.slice(1)),
    });

    const failure = failures.find((f) => (!f.method || f.method === method) && f.path.test(url.pathname));
    if (failure) {
      if (failure.status === 0) return void req.socket.destroy();
      return send(
        res,
        failure.status,
        failure.body ?? stripeError('api_error', `injected ${failure.status}`),
      );
    }

    // Stripe keeps what it answered to an idempotency key for 24 hours and replays it; stripe-mock cannot.
    const key = method === 'POST' ? (Array.isArray(idem) ? idem[0] : idem) : undefined;
    const seen = key ? replays.get(key) : undefined;
    if (seen) {
      if (seen.path !== url.pathname || seen.body !== body.toString('utf8'))
        return send(
          res,
          400,
          stripeError(
            'idempotency_error',
            `Keys for idempotent requests can only be used with the same parameters (${key})`,
          ),
        );
      res.writeHead(200, { 'content-type': 'application/json', 'idempotent-replayed': 'true' });
      return void res.end(seen.answer);
    }

    let answer: Upstream;
    try {
      answer = await upstream(socketPath, { method, path: req.url ?? '/', headers: req.headers }, body);
    } catch (err) {
      return send(
        res,
        502,
        stripeError('api_error', `stripe-mock is unreachable: ${(err as Error).message}`),
      );
    }
    const json = answer.status === 200 && /json/.test(String(answer.headers['content-type']));
    if (!json) {
      res.writeHead(answer.status, answer.headers);
      return void res.end(answer.body);
    }
    let out = JSON.parse(answer.body.toString('utf8')) as Record<string, unknown>;
    const items = method === 'GET' ? lists.get(url.pathname) : undefined;
    if (items && out.object === 'list') {
      const page = pageOf(items, url.searchParams, (out.data as Record<string, unknown>[])[0] ?? {});
      if ('error' in page) return send(res, 404, page);
      out = { ...out, ...page };
    }
    const overlay = (o: unknown) => {
      const fields = isObject(o) && typeof o.id === 'string' ? state.get(o.id) : undefined;
      return fields ? deepMerge(o as Record<string, unknown>, fields) : o;
    };
    out = overlay(out) as Record<string, unknown>;
    if (Array.isArray(out.data)) out = { ...out, data: out.data.map(overlay) };
    const { 'content-length': _l, 'transfer-encoding': _t, ...headers } = answer.headers;
    const text = JSON.stringify(out, null, 2);
    if (key) replays.set(key, { path: url.pathname, body: body.toString('utf8'), answer: text });
    res.writeHead(200, headers);
    res.end(text);
  };

  const server = createServer((req, res) =>
    handle(req, res).catch((err) => {
      if (!res.headersSent)
        send(res, 500, stripeError('api_error', `stripe world: ${(err as Error).message}`));
      else res.destroy();
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  const webhookSecret = newWebhookSecret();

  return {
    url,
    env: { STRIPE_SECRET_KEY: SECRET_KEY, STRIPE_API_URL: url, STRIPE_WEBHOOK_SECRET: webhookSecret },
    webhookSecret,
    requests,
    set: (id, fields) => void state.set(id, deepMerge(state.get(id) ?? {}, fields)),
    list: (path, items) => void lists.set(path, items),
    fail: (match, status, body) => void failures.push({ ...match, status, body }),
    heal: () => {
      failures = [];
    },
    reset: () => {
      requests.length = 0; // in place: tests may hold the array
      state.clear();
      lists.clear();
      failures = [];
    },
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await supervisor.stopAll();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

type Upstream = { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer };

function upstream(
  socketPath: string,
  r: { method: string; path: string; headers: IncomingMessage['headers'] },
  body: Buffer,
): Promise<Upstream> {
  return new Promise((resolve, reject) => {
    const out = request({ socketPath, method: r.method, path: r.path, headers: r.headers }, (res) => {
      res
        .toArray()
        .then((chunks) =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        )
        .catch(reject);
    });
    out.once('error', reject);
    out.end(body);
  });
}

/** One page of `items` the way Stripe pages: `limit` (default 10), `starting_after` / `ending_before` by id. */
function pageOf(items: Record<string, unknown>[], q: URLSearchParams, fixture: Record<string, unknown>) {
  const all = items.map((i) => deepMerge(fixture, i));
  const limit = Number(q.get('limit') ?? 10);
  const cursor = q.get('starting_after') ?? q.get('ending_before');
  const at = cursor === null ? -1 : all.findIndex((i) => i.id === cursor);
  if (cursor !== null && at < 0)
    return stripeError('invalid_request_error', `No such object: '${cursor}'`, 'resource_missing');
  if (q.has('ending_before')) {
    const from = Math.max(0, at - limit);
    return { data: all.slice(from, at), has_more: from > 0 };
  }
  return { data: all.slice(at + 1, at + 1 + limit), has_more: at + 1 + limit < all.length };
}

const stripeError = (type: string, message: string, code?: string) => ({
  error: { type, message, ...(code ? { code } : {}) },
});

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key; arrays, scalars and null replace. */
export function deepMerge(
  base: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over))
    out[k] = isObject(v) && isObject(out[k]) ? deepMerge(out[k], v) : v;
  return out;
}

/** Decodes Stripe's form encoding (`a[b]=1`, `items[0][price]=x`, `expand[]=y`) into nested objects and arrays. */
export function decodeStripeForm(form: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(form)) {
    const segments = [key.replace(/\[.*$/, ''), ...[...key.matchAll(/\[([^[\]]*)\]/g)].map((m) => m[1]!)];
    if (segments.includes('__proto__')) continue;
    let node: Record<string, unknown> | unknown[] = out;
    segments.forEach((segment, i) => {
      const k = Array.isArray(node) ? (segment === '' ? node.length : Number(segment)) : segment;
      const slot = node as Record<string | number, unknown>;
      if (i === segments.length - 1) slot[k] = value;
      else {
        slot[k] ??= /^\d*$/.test(segments[i + 1]!) ? [] : {};
        node = slot[k] as Record<string, unknown> | unknown[];
      }
    });
  }
  return out;
}

export type StripeEventJson = {
  id: string;
  object: 'event';
  api_version: string;
  created: number;
  livemode: false;
  pending_webhooks: number;
  request: { id: string | null; idempotency_key: string | null };
  type: string;
  data: { object: Record<string, unknown>; previous_attributes?: Record<string, unknown> };
};

/** An event as Stripe sends it to a webhook endpoint. */
export function stripeEvent(
  type: string,
  object: Record<string, unknown>,
  opts: { id?: string; created?: number; previousAttributes?: Record<string, unknown> } = {},
): StripeEventJson {
  return {
    id: opts.id ?? `evt_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: opts.created ?? Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 0,
    request: { id: null, idempotency_key: null },
    type,
    data: { object, ...(opts.previousAttributes ? { previous_attributes: opts.previousAttributes } : {}) },
  };
}

/** A delivery signed with the world's secret by the SDK's own test helper; `timestamp` in seconds. */
export function signedWebhook(
  world: Pick<StripeWorld, 'webhookSecret'>,
  event: StripeEventJson | Record<string, unknown>,
  opts: { timestamp?: number } = {},
): { body: string; headers: { 'stripe-signature': string; 'content-type': string } } {
  const body = JSON.stringify(event, null, 2);
  const signature = Stripe.webhooks.generateTestHeaderString({
    payload: body,
    secret: world.webhookSecret,
    ...(opts.timestamp === undefined ? {} : { timestamp: opts.timestamp }),
  });
  return { body, headers: { 'stripe-signature': signature, 'content-type': 'application/json' } };
}
