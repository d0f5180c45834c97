import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEventBackbone } from '../shared/events/backbone';
import { connectNats } from '../shared/events/nats';
import { runProcess } from '../shared/platform/run';
import { LOCAL_INGRESS_PORT } from './local-cluster';
import { createLocalServer } from './local-server';

// Local runs always migrate (the embedded database starts empty on a fresh clone) and offer dev login, which
// the environment can still turn off with HEXABASE_DEV_LOGIN=false. With the local cluster of `npm run cluster`,
// Hexabase also serves HTTPS on 8443 with the issuer certificate that cluster's vClusters trust, and uses it as its
// public URL: kube-apiserver only accepts HTTPS issuers.
const issuer = join(import.meta.dirname, '..', '.hexabase', 'cluster', 'issuer');
const clusterIssuer: Record<string, string> =
  process.env.KUBECONFIG && existsSync(join(issuer, 'tls.crt'))
    ? {
        HEXABASE_TLS_CERT_FILE: join(issuer, 'tls.crt'),
        HEXABASE_TLS_KEY_FILE: join(issuer, 'tls.key'),
        HEXABASE_ISSUER_CA_FILE: join(issuer, 'ca.crt'),
        HEXABASE_CLI_CA_FILE: join(issuer, 'ca.crt'),
        HEXABASE_PUBLIC_URL: 'https://localhost:8443',
        // Workspaces are reached as https://{wsId}.vcluster.localhost:9443 through the cluster's ingress stand-in.
        HEXABASE_VCLUSTER_INGRESS_PORT: String(LOCAL_INGRESS_PORT),
      }
    : {};
await runProcess(
  'hexabase',
  async (platform, { registry }) => {
    const server = createLocalServer(platform, { registry });
    const backbone = await startEventBackbone(platform, {
      deliver: server.deliver,
      registry: server.registry,
    });
    return { ...server, onShutdown: backbone.stop };
  },
  {
    migrate: true,
    connectNats,
    // Exec-mode kubeconfigs run this checkout's CLI, so they work before (or without) installing `hxb`.
    envDefaults: {
      HEXABASE_DEV_LOGIN: 'true',
      HEXABASE_CLI_COMMAND: join(import.meta.dirname, 'hxb.mjs'),
      ...clusterIssuer,
    },
  },
);
