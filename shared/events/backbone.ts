import { isNull, sql } from 'drizzle-orm';
import { Counter, Gauge, type Registry } from 'prom-client';
import { outbox } from '../db/schema';
import type { Platform } from '../platform';
import { EVENTS } from './catalog';
import { createDispatcher, type Deliver } from './dispatcher';
import { ensureStream, jetStreamPublisher } from './jetstream';
import { enqueue } from './outbox';
import { createRelay } from './relay';
import { triggerTable } from './triggers';

export type Backbone = { stop: () => Promise<void>; replay: (deadLetterId: number) => Promise<boolean> };

function eventMetrics(registry: Registry | undefined, db: Platform['db']) {
  if (!registry) return {};
  const counter = (name: string, help: string) => new Counter({ name, help, registers: [registry] });
  const published = counter('hexabase_events_published_total', 'Outbox events published to the broker');
  const delivered = counter('hexabase_events_delivered_total', 'Events delivered to a worker (2xx)');
  const retried = counter('hexabase_events_retried_total', 'Deliveries that will be retried');
  const dead = counter('hexabase_events_dead_lettered_total', 'Events given up on and dead-lettered');
  new Gauge({
    name: 'hexabase_outbox_lag_seconds',
    help: 'Age of the oldest unpublished outbox event',
    registers: [registry],
    async collect() {
      const [row] = await db
        .select({
          age: sql<number>`coalesce(extract(epoch from now() - min(${outbox.createdAt})), 0)::float`,
        })
        .from(outbox)
        .where(isNull(outbox.sentAt));
      this.set(row?.age ?? 0);
    },
  });
  return {
    onPublished: (n: number) => published.inc(n),
    metrics: {
      delivered: () => delivered.inc(),
      retried: () => retried.inc(),
      deadLettered: () => dead.inc(),
    },
  };
}

/**
 * The local face of the event contract: outbox → (JetStream when NATS_URL is set, else in-process) → the worker
 * functions of the trigger table, with retries and dead letters; plus the periodic reconcile tick. In the cluster
 * the same contract is Knative Eventing's (knative/eventing.yaml) and the relay runs as its own function.
 */
export async function startEventBackbone(
  p: Platform,
  opts: { deliver: (fn: string) => Deliver; registry?: Registry; tickSeconds?: number },
): Promise<Backbone> {
  const m = eventMetrics(opts.registry, p.db);
  const triggers = triggerTable.map((t) => ({ ...t, deliver: opts.deliver(t.function) }));
  const nc = p.nats?.nc;
  if (nc) await ensureStream(nc);
  const dispatcher = createDispatcher({
    db: p.db,
    log: p.log,
    triggers,
    ...(nc ? { nats: nc } : {}),
    ...(m.metrics ? { metrics: m.metrics } : {}),
  });
  await dispatcher.ready;
  const relay = createRelay({
    database: p.database,
    publish: nc ? jetStreamPublisher(nc) : dispatcher.publish,
    log: p.log,
    ...(m.onPublished ? { onPublished: m.onPublished } : {}),
  });
  await relay.start();
  const tick = setInterval(
    () =>
      void enqueue(p.db, {
        type: EVENTS.reconcileTick.type,
        source: 'scheduler',
        subject: 'reconcile',
        data: { at: new Date().toISOString() },
      }).catch(() => {}),
    (opts.tickSeconds ?? 60) * 1000,
  );
  tick.unref();
  return {
    replay: dispatcher.replay,
    stop: async () => {
      clearInterval(tick);
      await relay.stop();
      await dispatcher.stop();
    },
  };
}
