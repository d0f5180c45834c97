import { runProcess } from '../../shared/platform/run';
import { createDeadLettersApp } from './app';

await runProcess('dead-letters', async (p) => {
  const app = createDeadLettersApp(p, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
