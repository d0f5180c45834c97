import { OperatorError } from '../../shared/errors';
import { createDispatcher } from '../../shared/events/dispatcher';
import { ensureStream, jetStreamPublisher } from '../../shared/events/jetstream';
import { connectNats } from '../../shared/events/nats';
import { createRelay } from '../../shared/events/relay';
import { createApp } from '../../shared/http/app';
import { runProcess } from '../../shared/platform/run';

// The outbox relay as its own always-on function in the cluster: outbox → JetStream HEXABASE_EVENTS → broker.
// Several replicas are safe (rows are claimed with SKIP LOCKED; the stream drops duplicate ids).
await runProcess(
  'relay',
  async (p, { registry }) => {
    if (!p.nats) throw new OperatorError('NATS_UNAVAILABLE', 'the relay needs NATS_URL');
    await ensureStream(p.nats.nc);
    const relay = createRelay({ database: p.database, publish: jetStreamPublisher(p.nats.nc), log: p.log });
    await relay.start();
    // The bridge: a durable consumer of HEXABASE_EVENTS that hands every event to the Knative broker, which then
    // delivers to the workers per Trigger (retries, dead-letter sink). Acked only when the broker accepted it.
    const sink = p.env.K_SINK;
    const bridge = sink
      ? createDispatcher({
          db: p.db,
          log: p.log,
          nats: p.nats.nc,
          triggers: [
            {
              name: 'knative-broker',
              function: 'broker',
              path: sink,
              types: ['*'],
              deliver: (req) => fetch(req),
            },
          ],
        })
      : undefined;
    await bridge?.ready;
    const app = createApp({ name: 'relay', log: p.log, readiness: p.readiness, registry });
    return {
      fetch: app.fetch,
      apps: [app],
      onShutdown: async () => {
        await relay.stop();
        await bridge?.stop();
      },
    };
  },
  { connectNats },
);
