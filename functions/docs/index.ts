import { runProcess } from '../../shared/platform/run';
import { functionRegistry } from '../registry';

await runProcess('docs', async (p) => {
  const app = functionRegistry.docs.create(p, { log: p.log, readiness: {}, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
