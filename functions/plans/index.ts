import { runProcess } from '../../shared/platform/run';
import { createPlansApp } from './app';

await runProcess('plans', async (p, { registry }) => {
  const app = createPlansApp(p, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
