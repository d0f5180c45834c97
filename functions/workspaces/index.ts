import { runProcess } from '../../shared/platform/run';
import { createWorkspacesApp } from './app';

await runProcess('workspaces', async (p) => {
  const app = createWorkspacesApp(p, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
