import type { Registry } from 'prom-client';
import { registerEventMetrics } from '../observability/events';
import type { Platform } from '../platform';
import { createDispatcher, type Deliver } from './dispatcher';
import { ensureStream, jetStreamPublisher } from './jetstream';
import { createRelay } from './relay';
import { startScheduler } from './scheduler';
import { triggerTable } from './triggers';

export type Backbone = { stop: () => Promise<void>; replay: (deadLetterId: number) => Promise<boolean> };

/**
 * The local face of the event contract: outbox → (JetStream when NATS_URL is set, else in-process) → the worker
 * functions of the trigger table, with retries and dead letters; plus the periodic reconcile tick. In a cluster
 * with Knative the same contract is Knative Eventing's (knative/eventing.yaml) and the relay function only bridges
 * to the broker; without Knative the relay function runs this backbone itself (HEXABASE_FUNCTION_URL).
 */
export async function startEventBackbone(
  p: Platform,
  opts: { deliver: (fn: string) => Deliver; registry?: Registry; tickSeconds?: number },
): Promise<Backbone> {
  const m = opts.registry
    ? registerEventMetrics(opts.registry, p.db, { consumers: triggerTable.map((t) => t.name) })
    : undefined;
  const triggers = triggerTable.map((t) => ({ ...t, deliver: opts.deliver(t.function) }));
  const nc = p.nats?.nc;
  if (nc) await ensureStream(nc);
  const dispatcher = createDispatcher({
    db: p.db,
    log: p.log,
    triggers,
    ...(nc ? { nats: nc } : {}),
    ...(m ? { metrics: m.dispatcher } : {}),
  });
  await dispatcher.ready;
  const relay = createRelay({
    database: p.database,
    publish: nc ? jetStreamPublisher(nc) : dispatcher.publish,
    log: p.log,
    ...(m ? { onPublished: m.onPublished } : {}),
  });
  await relay.start();
  const stopTicks = startScheduler(p, {
    reconcileSeconds: opts.tickSeconds ?? 60,
    usageSeconds: p.env.HEXABASE_USAGE_INTERVAL_SECONDS,
  });
  return {
    replay: dispatcher.replay,
    stop: async () => {
      stopTicks();
      await relay.stop();
      await dispatcher.stop();
    },
  };
}
