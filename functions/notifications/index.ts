import { runProcess } from '../../shared/platform/run';
import { functionRegistry } from '../registry';

await runProcess('notifications', async (p) => {
  const app = functionRegistry.notifications.create(p, {
    log: p.log,
    readiness: p.readiness,
    defaultMetrics: true,
  });
  return { fetch: app.fetch, apps: [app] };
});
