import { runProcess } from '../../shared/platform/run';
import { createProjectsApp } from './app';

await runProcess('projects', async (p, { registry }) => {
  const app = createProjectsApp(p, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
