import { randomBytes } from 'node:crypto';
import { count } from 'drizzle-orm';
import * as z from 'zod';
import { outbox, processedEvents } from '../shared/db/schema';
import { createDispatcher } from '../shared/events/dispatcher';
import { ensureStream, jetStreamPublisher } from '../shared/events/jetstream';
import { connectNats } from '../shared/events/nats';
import { enqueueUncatalogued } from '../shared/events/outbox';
import { cloudEventHandler } from '../shared/events/receive';
import { createRelay } from '../shared/events/relay';
import { createApp } from '../shared/http/app';
import { createLogger } from '../shared/log';
import { startPrivateNats } from '../shared/testing/nats';
import { appendReport, withBenchDatabase } from './bench-support';

/**
 * Events through the whole path: outbox row → relay → JetStream (a private nats-server) → durable consumer →
 * binary-mode HTTP delivery → idempotent receiver (inbox row in the handler's transaction). Appends to
 * docs/benchmarks.md.
 */
const log = createLogger({ level: 'silent', name: 'bench' });
const TYPE = 'ai.hexabase.bench.event';
const handledAt = new Map<string, number>();
await withBenchDatabase(async (database) => {
  const nats = await startPrivateNats();
  const handle = await connectNats(nats.url, 'bench');
  try {
    await ensureStream(handle.nc);
    const app = createApp({ name: 'bench-worker', log });
    app.post(
      '/events',
      cloudEventHandler({
        db: database.db,
        consumer: 'bench',
        accepts: [{ type: TYPE, data: z.object({ i: z.number() }) }],
        handle: async (_tx, e) => {
          handledAt.set(e.id, performance.now());
        },
      }),
    );
    const dispatcher = createDispatcher({
      db: database.db,
      log,
      nats: handle.nc,
      triggers: [
        {
          name: 'bench',
          function: 'bench',
          path: '/events',
          types: [TYPE],
          deliver: (r) => Promise.resolve(app.fetch(r)),
        },
      ],
    });
    await dispatcher.ready;
    const relay = createRelay({ database, publish: jetStreamPublisher(handle.nc), log, pollMs: 1000 });
    const inbox = async () => (await database.db.select({ n: count() }).from(processedEvents))[0]!.n;
    const until = async (n: number) => {
      while ((await inbox()) < n) await new Promise((r) => setTimeout(r, 20));
    };

    // Throughput: 3,000 events already in the outbox when the relay starts.
    const N = 3000;
    for (let i = 0; i < N; i += 500) {
      await database.db.insert(outbox).values(
        Array.from({ length: Math.min(500, N - i) }, (_, k) => ({
          id: randomBytes(16).toString('hex'),
          type: TYPE,
          source: '/hexabase/bench',
          subject: 'b',
          data: { i: i + k },
        })),
      );
    }
    const t0 = performance.now();
    await relay.start();
    await until(N);
    const seconds = (performance.now() - t0) / 1000;

    // Latency: one event at a time while the relay runs (woken by NOTIFY), commit → handler.
    const latencies: number[] = [];
    for (let i = 0; i < 200; i++) {
      const started = performance.now();
      const id = await enqueueUncatalogued(database.db, {
        type: TYPE,
        source: 'bench',
        subject: 'l',
        data: { i },
      });
      while (!handledAt.has(id)) await new Promise((r) => setImmediate(r));
      latencies.push(handledAt.get(id)! - started);
    }
    await relay.stop();
    await dispatcher.stop();
    latencies.sort((a, b) => a - b);
    const q = (p: number) => latencies[Math.floor(p * (latencies.length - 1))]!.toFixed(1);
    const lines = [
      '',
      '## Events: outbox → relay → JetStream → dispatcher → worker',
      '',
      `Run by \`npm run bench\`: a private nats-server 2.9 with JetStream (file storage), PostgreSQL on 127.0.0.1, one relay, one durable consumer, in-process HTTP delivery to an idempotent receiver.`,
      '',
      '| measure | value |',
      '|---|---|',
      `| throughput, ${N} events waiting in the outbox | ${(N / seconds).toFixed(0)} events/s (${seconds.toFixed(2)} s) |`,
      `| added latency per event, commit → handler (200 events, one at a time) | p50 ${q(0.5)} ms, p95 ${q(0.95)} ms, p99 ${q(0.99)} ms |`,
      '',
    ];
    appendReport(lines);
  } finally {
    await handle.close().catch(() => {});
    await nats.stop();
  }
});
