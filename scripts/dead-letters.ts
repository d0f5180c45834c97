import { loadEnvOrExit } from '../shared/env';
import { openDeadLetters } from '../shared/events/dead-letters';
import { createDispatcher } from '../shared/events/dispatcher';
import { triggerTable } from '../shared/events/triggers';
import { createLogger } from '../shared/log';
import { createPlatform } from '../shared/platform';
import { createLocalServer } from './local-server';

/**
 * `npm run dead-letters -- list` and `npm run dead-letters -- replay <id>`: operator tool. A replay delivers the
 * stored CloudEvent (same id) to its consumer's code directly, so it works with or without NATS; the consumer's
 * inbox keeps it to one effect.
 */
const [command, arg] = process.argv.slice(2);
const env = loadEnvOrExit();
const log = createLogger({ level: 'warn', name: 'dead-letters' });
const platform = await createPlatform(env, log, { name: 'dead-letters', migrate: true });
try {
  if (command === 'list') {
    const rows = await openDeadLetters(platform, { limit: 200 });
    for (const r of rows) {
      console.log(
        `${r.id}\t${r.createdAt.toISOString()}\t${r.consumer}\t${r.type}\t${r.eventId}\t${r.attempts} attempts\t${r.lastError ?? ''}`,
      );
    }
    if (rows.length === 0) console.log('no dead letters');
  } else if (command === 'replay' && arg && /^\d+$/.test(arg)) {
    const server = createLocalServer(platform);
    const triggers = triggerTable.map((t) => ({ ...t, deliver: server.deliver(t.function) }));
    const ok = await createDispatcher({ db: platform.db, log, triggers }).replay(Number(arg));
    console.log(
      ok
        ? `replayed ${arg}`
        : `could not replay ${arg} (unknown, already replayed, or the consumer failed again)`,
    );
    process.exitCode = ok ? 0 : 1;
  } else {
    console.error('usage: npm run dead-letters -- list | replay <id>');
    process.exitCode = 2;
  }
} finally {
  await platform.close();
}
