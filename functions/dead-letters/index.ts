import { runProcess } from '../../shared/platform/run';
import { createDeadLettersApp } from './app';

await runProcess('dead-letters', async (p, { registry }) => {
  const app = createDeadLettersApp(p, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
