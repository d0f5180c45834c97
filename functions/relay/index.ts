import { OperatorError } from '../../shared/errors';
import { ensureStream, jetStreamPublisher } from '../../shared/events/jetstream';
import { createRelay } from '../../shared/events/relay';
import { createApp } from '../../shared/http/app';
import { runProcess } from '../../shared/platform/run';

// The outbox relay as its own always-on function in the cluster: outbox → JetStream HEXABASE_EVENTS.
// Several replicas are safe (rows are claimed with SKIP LOCKED; the stream drops duplicate ids).
await runProcess('relay', async (p) => {
  if (!p.nats) throw new OperatorError('NATS_UNAVAILABLE', 'the relay needs NATS_URL');
  await ensureStream(p.nats.nc);
  const relay = createRelay({ database: p.database, publish: jetStreamPublisher(p.nats.nc), log: p.log });
  await relay.start();
  const app = createApp({ name: 'relay', log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app], onShutdown: relay.stop };
});
