import { createMailer, mailSettings } from '../../shared/mail';
import { runProcess } from '../../shared/platform/run';
import { createNotificationsApp } from './app';

await runProcess('notifications', async (p, { registry }) => {
  const deps = { db: p.db, orgs: p.orgs, mailer: createMailer(mailSettings(p.env), p.log), log: p.log };
  const app = createNotificationsApp(deps, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
