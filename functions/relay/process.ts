import type { NatsConnection } from '@nats-io/transport-node';
import type { Registry } from 'prom-client';
import { OperatorError } from '../../shared/errors';
import { startEventBackbone } from '../../shared/events/backbone';
import { createDispatcher, type Deliver } from '../../shared/events/dispatcher';
import { ensureStream, jetStreamPublisher } from '../../shared/events/jetstream';
import { createRelay } from '../../shared/events/relay';
import { startScheduler } from '../../shared/events/scheduler';
import { createApp } from '../../shared/http/app';
import { registerEventMetrics } from '../../shared/observability/events';
import type { Platform } from '../../shared/platform';

/** The bridge's one consumer, as the event metrics name it. */
const BRIDGE = 'knative-broker';

/**
 * The outbox relay as its own always-on function in the cluster: outbox → JetStream HEXABASE_EVENTS → the workers.
 * With K_SINK (Knative) it bridges to the broker, whose Triggers deliver; with HEXABASE_FUNCTION_URL (plain
 * Deployments, no Knative) it delivers itself. Several replicas are safe (rows are claimed with SKIP LOCKED; the
 * stream drops duplicate ids; replicas share the durable consumers). The process's work besides its (probe-only)
 * app, so that tests build it as index.ts does; `tickSeconds` (the reconcile tick of direct delivery) is theirs.
 */
export async function relayProcess(
  p: Platform,
  { registry, tickSeconds = 60 }: { registry: Registry; tickSeconds?: number },
) {
  if (!p.nats) throw new OperatorError('NATS_UNAVAILABLE', 'the relay needs NATS_URL');
  const template = p.env.HEXABASE_FUNCTION_URL;
  // Without Knative nobody else delivers nor ticks: the relay runs the whole backbone `npm start` runs (trigger
  // table, retries, dead letters, both ticks), only delivering over the cluster network instead of in-process.
  const stop = template
    ? (await startEventBackbone(p, { deliver: functionUrlDeliver(template), registry, tickSeconds })).stop
    : await bridgeToBroker(p, p.nats.nc, registry);
  const app = createApp({ name: 'relay', log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app], onShutdown: stop };
}

/**
 * Delivery to `template` with `{function}` filled in, plus the path the dispatcher asks for (the trigger's
 * `path`). Appended rather than resolved, so that a template with a path of its own keeps it.
 */
function functionUrlDeliver(template: string): (fn: string) => Deliver {
  return (fn) => {
    const base = template.replaceAll('{function}', fn).replace(/\/+$/, '');
    return async (req) => {
      const { pathname, search } = new URL(req.url);
      return fetch(`${base}${pathname}${search}`, {
        method: req.method,
        headers: req.headers,
        body: await req.arrayBuffer(),
        signal: req.signal,
      });
    };
  };
}

/** Knative mode: a PingSource sends the reconcile tick, the broker's Triggers deliver (retries, dead-letter sink). */
async function bridgeToBroker(p: Platform, nc: NatsConnection, registry: Registry) {
  await ensureStream(nc);
  // The bridge: a durable consumer of HEXABASE_EVENTS that hands every event to the Knative broker, which then
  // delivers to the workers per Trigger. Acked only when the broker accepted it.
  const sink = p.env.K_SINK;
  const metrics = registerEventMetrics(registry, p.db, { consumers: sink ? [BRIDGE] : [] });
  const relay = createRelay({
    database: p.database,
    publish: jetStreamPublisher(nc),
    log: p.log,
    onPublished: metrics.onPublished,
  });
  await relay.start();
  const bridge = sink
    ? createDispatcher({
        db: p.db,
        log: p.log,
        nats: nc,
        triggers: [
          { name: BRIDGE, function: 'broker', path: sink, types: ['*'], deliver: (req) => fetch(req) },
        ],
        metrics: metrics.dispatcher,
      })
    : undefined;
  await bridge?.ready;
  // The usage tick, every 30 s: finer than a PingSource can tick (the reconcile tick is a PingSource's).
  const stopTicks = startScheduler(p, { usageSeconds: p.env.HEXABASE_USAGE_INTERVAL_SECONDS });
  return async () => {
    stopTicks();
    await relay.stop();
    await bridge?.stop();
  };
}
