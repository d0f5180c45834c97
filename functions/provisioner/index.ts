import { runProcess } from '../../shared/platform/run';
import { chartOptions, hostCluster } from '../../shared/provisioner/host';
import { createProvisionerApp } from './app';

await runProcess('provisioner', async (p, { registry }) => {
  const deps = {
    db: p.db,
    authzCache: p.authz.cache,
    host: hostCluster(p.env),
    chart: chartOptions(p.env),
    log: p.log,
  };
  const app = createProvisionerApp(deps, { log: p.log, readiness: p.readiness, registry });
  return { fetch: app.fetch, apps: [app] };
});
