import { runProcess } from '../../shared/platform/run';
import { createOidcApp } from './app';

await runProcess('oidc', async (p, { registry }) => {
  const app = createOidcApp(
    { auth: p.auth, ttlSeconds: p.env.HEXABASE_WORKSPACE_TOKEN_TTL_SECONDS },
    { log: p.log, readiness: p.readiness, registry },
  );
  return { fetch: app.fetch, apps: [app] };
});
