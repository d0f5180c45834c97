// Test helper process: runs an outbox relay against the given database and NATS so that a test can SIGKILL it
// mid-batch. Prints one line per published event.
import { connect } from '@nats-io/transport-node';
import { openPostgres } from '../db';
import { jetStreamPublisher } from '../events/jetstream';
import { createRelay } from '../events/relay';
import { createLogger } from '../log';

const [dbUrl, natsUrl] = process.argv.slice(2) as [string, string];
const database = await openPostgres(dbUrl, { poolMax: 2 });
const nc = await connect({ servers: natsUrl });
const publish = jetStreamPublisher(nc);
const relay = createRelay({
  database,
  log: createLogger({ level: 'silent', name: 'relay-child' }),
  batchSize: 1000,
  publish: async (event) => {
    await publish(event);
    process.stdout.write(`published ${event.id}\n`);
    await new Promise((r) => setTimeout(r, 5));
  },
});
await relay.drain();
process.stdout.write('drained\n');
