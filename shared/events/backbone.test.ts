import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { jetstreamManager } from '@nats-io/jetstream';
import { and, count, eq, isNull } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as z from 'zod';
import { auditLog, deadLetters, outbox } from '../db/schema';
import { createApp } from '../http/app';
import { waitFor } from '../testing/kube/supervisor';
import { startPrivateNats } from '../testing/nats';
import { usePlatform } from '../testing/platform';
import { STREAM } from './cloudevents';
import { createDispatcher, type Trigger } from './dispatcher';
import { ensureStream, jetStreamPublisher } from './jetstream';
import { connectNats, type NatsHandle } from './nats';
import { enqueueUncatalogued } from './outbox';
import { cloudEventHandler } from './receive';
import { createRelay } from './relay';

const TYPE = 'ai.hexabase.test.happened';

describe('event backbone on a real NATS JetStream', () => {
  let nats: Awaited<ReturnType<typeof startPrivateNats>>;
  let handle: NatsHandle;
  beforeAll(async () => {
    nats = await startPrivateNats();
  });
  afterAll(async () => {
    await handle?.close().catch(() => {});
    await nats?.stop();
  });
  const platform = usePlatform();

  /** A worker whose effect is one audit row per event, written through the idempotent receiver. */
  const worker = (behaviour: { fail?: () => boolean } = {}) => {
    const app = createApp({ name: 'test-worker', log: platform().log });
    app.post(
      '/events',
      cloudEventHandler({
        db: platform().db,
        consumer: 'test-worker',
        accepts: [{ type: TYPE, data: z.object({ n: z.number() }) }],
        handle: async (tx, event) => {
          if (behaviour.fail?.()) throw new Error('worker is broken');
          await tx.insert(auditLog).values({
            id: `aud-${event.id.slice(0, 20)}`,
            action: 'test.effect',
            actorId: null,
            targetType: 'event',
            targetId: event.id,
          });
        },
      }),
    );
    return app;
  };
  const trigger = (app: ReturnType<typeof worker>, name = 'test-worker'): Trigger => ({
    name,
    function: 'test-worker',
    path: '/events',
    types: [TYPE],
    deliver: (req) => Promise.resolve(app.fetch(req)),
  });
  const effects = async () =>
    (await platform().db.select({ n: count() }).from(auditLog).where(eq(auditLog.action, 'test.effect')))[0]!
      .n;
  const unsent = async () =>
    (await platform().db.select({ n: count() }).from(outbox).where(isNull(outbox.sentAt)))[0]!.n;
  const enqueueMany = async (n: number) => {
    for (let i = 0; i < n; i++)
      await enqueueUncatalogued(platform().db, {
        type: TYPE,
        source: 'test',
        subject: `s${i}`,
        data: { n: i },
      });
  };

  it('delivers every event exactly once even when the relay is killed in the middle of a batch', async () => {
    handle = await connectNats(nats.url, 'test');
    await ensureStream(handle.nc);
    const base = await effects();
    await enqueueMany(120);
    // A relay in its own process, SIGKILLed after it has published some events but before it commits.
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'shared/testing/relay-child.ts', platform().testDb.url, nats.url],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    let published = 0;
    await new Promise<void>((resolve) => {
      createInterface({ input: child.stdout! }).on('line', (l) => {
        if (l.startsWith('published') && ++published === 40) {
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await new Promise((r) => child.once('exit', r));
    expect(await unsent()).toBeGreaterThanOrEqual(120); // its transaction died with it: nothing marked sent
    const dispatcher = createDispatcher({
      db: platform().db,
      log: platform().log,
      triggers: [trigger(worker())],
      nats: handle.nc,
    });
    await dispatcher.ready;
    const relay = createRelay({
      database: platform().database,
      publish: jetStreamPublisher(handle.nc),
      log: platform().log,
    });
    await relay.drain();
    expect(await unsent()).toBe(0);
    await waitFor('all effects', async () => ((await effects()) - base === 120 ? true : undefined), {
      timeoutMs: 30_000,
    });
    const info = await (await jetstreamManager(handle.nc)).streams.info(STREAM);
    expect(info.state.messages).toBe(120); // the 40 re-published ones were dropped as duplicates
    await new Promise((r) => setTimeout(r, 500));
    expect((await effects()) - base).toBe(120);
    await dispatcher.stop();
  });

  it('keeps accepting writes while NATS is down and delivers everything once it is back', async () => {
    const base = await effects();
    const dispatcher = createDispatcher({
      db: platform().db,
      log: platform().log,
      triggers: [trigger(worker(), 'test-worker-2')],
      nats: handle.nc,
    });
    await dispatcher.ready;
    const relay = createRelay({
      database: platform().database,
      publish: jetStreamPublisher(handle.nc),
      log: platform().log,
      pollMs: 200,
    });
    await relay.start();
    await nats.stop();
    await enqueueMany(25); // the API side keeps working: these are ordinary writes
    await new Promise((r) => setTimeout(r, 1000));
    expect(await unsent()).toBe(25);
    await nats.start();
    await waitFor('relay caught up', async () => ((await unsent()) === 0 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    await waitFor('delivered', async () => ((await effects()) - base === 25 ? true : undefined), {
      timeoutMs: 30_000,
      intervalMs: 250,
    });
    await relay.stop();
    await dispatcher.stop();
  });

  it('retries a failing worker with backoff, then dead-letters the event; a replay applies it once', async () => {
    let broken = true;
    const app = worker({ fail: () => broken });
    const attempts: number[] = [];
    const t = trigger(app, 'flaky');
    const counted: Trigger = {
      ...t,
      deliver: (req) => {
        attempts.push(Date.now());
        return t.deliver(req);
      },
    };
    const dispatcher = createDispatcher({
      db: platform().db,
      log: platform().log,
      triggers: [counted],
      policy: { maxAttempts: 3, backoffMs: 100, timeoutMs: 2000 },
    });
    const relay = createRelay({
      database: platform().database,
      publish: dispatcher.publish,
      log: platform().log,
    });
    const before = await effects();
    await enqueueMany(1);
    await relay.drain();
    const [dl] = await waitFor(
      'dead letter',
      async () => {
        const rows = await platform()
          .db.select()
          .from(deadLetters)
          .where(and(eq(deadLetters.consumer, 'flaky'), isNull(deadLetters.replayedAt)));
        return rows.length ? rows : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(attempts).toHaveLength(3);
    expect(attempts[2]! - attempts[1]!).toBeGreaterThanOrEqual(attempts[1]! - attempts[0]!); // backoff grows
    expect(dl!.lastError).toContain('500');
    broken = false;
    expect(await dispatcher.replay(dl!.id)).toBe(true);
    expect(await dispatcher.replay(dl!.id)).toBe(false); // already replayed
    expect((await effects()) - before).toBe(1);
    await dispatcher.stop();
  });

  it('applies a duplicate delivery once', async () => {
    const app = worker();
    const dispatcher = createDispatcher({
      db: platform().db,
      log: platform().log,
      triggers: [trigger(app, 'dup')],
    });
    const before = await effects();
    const id = await enqueueUncatalogued(platform().db, {
      type: TYPE,
      source: 'test',
      subject: 'dup',
      data: { n: 1 },
    });
    const [row] = await platform().db.select().from(outbox).where(eq(outbox.id, id));
    const { toCloudEvent } = await import('./cloudevents');
    const { deliverOnce } = await import('./dispatcher');
    const event = toCloudEvent(row!);
    const t = trigger(app, 'dup');
    expect((await deliverOnce(t, event, 2000)).kind).toBe('ack');
    expect((await deliverOnce(t, event, 2000)).kind).toBe('ack');
    expect((await effects()) - before).toBe(1);
    const bad = await app.request('/events', {
      method: 'POST',
      body: '{"x":1}',
      headers: { 'content-type': 'application/json' },
    });
    expect(bad.status).toBe(400); // not a CloudEvent: the dispatcher dead-letters 4xx at once
    await dispatcher.stop();
  });

  it.each(['jetstream', 'in-process'] as const)(
    'lets later events through while one delivery is stuck (%s)',
    async (mode) => {
      // Sequential delivery would deadlock here: the stuck event waits for the one behind it.
      let release!: () => void;
      const laterDelivered = new Promise<void>((r) => {
        release = r;
      });
      const stuck: Trigger = {
        name: `stuck-${mode}`,
        function: 'test-worker',
        path: '/events',
        types: [TYPE],
        deliver: async (req) => {
          const subject = req.headers.get('ce-subject');
          if (subject === `later-${mode}`) release();
          if (subject === `stuck-${mode}`) await laterDelivered;
          return new Response(null, { status: 200 });
        },
      };
      const nc = mode === 'jetstream' ? (await connectNats(nats.url, `test-${mode}`)).nc : undefined;
      if (nc) await ensureStream(nc);
      const dispatcher = createDispatcher({
        db: platform().db,
        log: platform().log,
        triggers: [stuck],
        ...(nc ? { nats: nc } : {}),
      });
      await dispatcher.ready;
      const relay = createRelay({
        database: platform().database,
        publish: nc ? jetStreamPublisher(nc) : dispatcher.publish,
        log: platform().log,
      });
      for (const subject of [`stuck-${mode}`, `later-${mode}`])
        await enqueueUncatalogued(platform().db, { type: TYPE, source: 'test', subject, data: { n: 0 } });
      await relay.drain();
      await laterDelivered;
      await dispatcher.stop();
      await nc?.close();
    },
  );

  it('bridges every event of the stream to the Knative broker (a local stand-in for its ingress)', async () => {
    const received: { type: string; id: string; mode: string }[] = [];
    const { createServer } = await import('node:http');
    const server = createServer((req, res) => {
      received.push({
        type: String(req.headers['ce-type']),
        id: String(req.headers['ce-id']),
        mode: req.headers['ce-specversion'] ? 'binary' : 'structured',
      });
      req.resume();
      res.writeHead(202).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const sink = `http://127.0.0.1:${(server.address() as { port: number }).port}/hexabase/hexabase`;
    const bridge = createDispatcher({
      db: platform().db,
      log: platform().log,
      nats: handle.nc,
      triggers: [
        {
          name: `bridge-${Date.now()}`,
          function: 'broker',
          path: sink,
          types: ['*'],
          deliver: (req) => fetch(req),
        },
      ],
    });
    await bridge.ready;
    const relay = createRelay({
      database: platform().database,
      publish: jetStreamPublisher(handle.nc),
      log: platform().log,
    });
    const id = await enqueueUncatalogued(platform().db, {
      type: 'ai.hexabase.workspace.created',
      source: 'test',
      subject: 'ws-1',
      data: { workspaceId: 'ws-1' },
    });
    await relay.drain();
    await waitFor('bridged', async () => (received.some((r) => r.id === id) ? true : undefined), {
      timeoutMs: 10_000,
    });
    expect(received.find((r) => r.id === id)).toEqual({
      type: 'ai.hexabase.workspace.created',
      id,
      mode: 'binary',
    });
    await bridge.stop();
    server.close();
  });
});
