import { runProcess } from '../../shared/platform/run';
import { createPlansApp } from './app';

await runProcess('plans', async (p) => {
  const app = createPlansApp(p, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
