import type { Registry } from 'prom-client';
import { OperatorError } from '../../shared/errors';
import { createDispatcher } from '../../shared/events/dispatcher';
import { ensureStream, jetStreamPublisher } from '../../shared/events/jetstream';
import { createRelay } from '../../shared/events/relay';
import { startScheduler } from '../../shared/events/scheduler';
import { createApp } from '../../shared/http/app';
import { registerEventMetrics } from '../../shared/observability/events';
import type { Platform } from '../../shared/platform';

/** The bridge's one consumer, as the event metrics name it. */
const BRIDGE = 'knative-broker';

/**
 * The outbox relay as its own always-on function in the cluster: outbox → JetStream HEXABASE_EVENTS → broker.
 * Several replicas are safe (rows are claimed with SKIP LOCKED; the stream drops duplicate ids). The process's
 * work besides its (probe-only) app, so that tests build it as index.ts does.
 */
export async function relayProcess(p: Platform, { registry }: { registry: Registry }) {
  if (!p.nats) throw new OperatorError('NATS_UNAVAILABLE', 'the relay needs NATS_URL');
  await ensureStream(p.nats.nc);
  // The bridge: a durable consumer of HEXABASE_EVENTS that hands every event to the Knative broker, which then
  // delivers to the workers per Trigger (retries, dead-letter sink). Acked only when the broker accepted it.
  const sink = p.env.K_SINK;
  const metrics = registerEventMetrics(registry, p.db, { consumers: sink ? [BRIDGE] : [] });
  const relay = createRelay({
    database: p.database,
    publish: jetStreamPublisher(p.nats.nc),
    log: p.log,
    onPublished: metrics.onPublished,
  });
  await relay.start();
  const bridge = sink
    ? createDispatcher({
        db: p.db,
        log: p.log,
        nats: p.nats.nc,
        triggers: [
          { name: BRIDGE, function: 'broker', path: sink, types: ['*'], deliver: (req) => fetch(req) },
        ],
        metrics: metrics.dispatcher,
      })
    : undefined;
  await bridge?.ready;
  // The usage tick, every 30 s: finer than a PingSource can tick (the reconcile tick is a PingSource's).
  const stopTicks = startScheduler(p, { usageSeconds: p.env.HEXABASE_USAGE_INTERVAL_SECONDS });
  const app = createApp({ name: 'relay', log: p.log, readiness: p.readiness, registry });
  return {
    fetch: app.fetch,
    apps: [app],
    onShutdown: async () => {
      stopTicks();
      await relay.stop();
      await bridge?.stop();
    },
  };
}
