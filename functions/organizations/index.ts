import { runProcess } from '../../shared/platform/run';
import { createOrganizationsApp } from './app';

await runProcess('organizations', async (p) => {
  const app = createOrganizationsApp(p, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
