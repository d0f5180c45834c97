import { runProcess } from '../../shared/platform/run';
import { createNotificationsApp } from './app';

await runProcess('notifications', async (p) => {
  const deps = {
    db: p.db,
    kek: p.auth.auth.kek,
    publicUrl: p.auth.publicUrl,
    devLogin: p.auth.devLogin,
    log: p.log,
  };
  const app = createNotificationsApp(deps, { log: p.log, readiness: p.readiness, defaultMetrics: true });
  return { fetch: app.fetch, apps: [app] };
});
