import { runProcess } from '../../shared/platform/run';
import { createOrganizationsApp } from './app';

await runProcess('organizations', async (p, { registry }) => {
  const app = createOrganizationsApp(p, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
