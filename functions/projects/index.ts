import { runProcess } from '../../shared/platform/run';
import { createProjectsApp } from './app';

await runProcess('projects', async (p) => {
  const app = createProjectsApp(p, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
