import { nodePool } from '../../shared/k8s/nodes';
import { runProcess } from '../../shared/platform/run';
import { hostCluster } from '../../shared/provisioner/host';
import { createWorkspacesApp } from './app';

await runProcess('workspaces', async (p, { registry }) => {
  const app = createWorkspacesApp(
    { ...p, nodes: nodePool(hostCluster(p.env)) },
    { log: p.log, readiness: p.readiness, registry },
  );
  return { fetch: app.fetch, apps: [app] };
});
