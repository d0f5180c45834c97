import { runProcess } from '../../shared/platform/run';
import { createAuthApp } from './app';

await runProcess('auth', async (p, { registry }) => {
  const app = createAuthApp(p, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
