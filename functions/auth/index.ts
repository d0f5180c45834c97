import { runProcess } from '../../shared/platform/run';
import { createAuthApp } from './app';

await runProcess('auth', async (p) => {
  const app = createAuthApp(p, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
