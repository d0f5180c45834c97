import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, inject } from 'vitest';
import { binariesIn } from './binaries';
import { type StartVirtualCluster, virtualClusterFactory } from './cluster';
import { loadCertificateAuthority } from './pki';
import { Supervisor } from './supervisor';

declare module 'vitest' {
  export interface ProvidedContext {
    kube: {
      binDir: string;
      etcdUrl: string;
      hostKubeconfig: string;
      hostKubeconfigPath: string;
      hostUrl: string;
      dir: string;
      /** The ingress stand-in (TLS passthrough by server name) on 127.0.0.1. */
      ingressPort: number;
    };
  }
}

/** What a test file gets from the run's test environment (started once in global setup). */
export function kubeEnvironment() {
  const kube = inject('kube');
  return {
    ...kube,
    kubectl: join(kube.binDir, 'kubectl'),
    /** Settings that expose workspaces through the run's ingress stand-in, as `{wsId}.vcluster.localhost`. */
    exposureEnv: {
      HEXABASE_VCLUSTER_EXPOSE: 'ingress',
      HEXABASE_VCLUSTER_INGRESS: 'traefik',
      HEXABASE_VCLUSTER_DOMAIN: 'vcluster.localhost',
      HEXABASE_VCLUSTER_INGRESS_PORT: String(kube.ingressPort),
    },
    hostCaPem: readFileSync(join(kube.dir, 'host', 'ca.crt'), 'utf8'),
    /** A client certificate for a user of the host cluster (authenticated, no rights until bound). */
    hostUser: async (cn: string, orgs: string[] = []) => {
      const ca = await loadCertificateAuthority(
        readFileSync(join(kube.dir, 'host', 'ca.crt'), 'utf8'),
        readFileSync(join(kube.dir, 'host', 'ca.key'), 'utf8'),
      );
      return ca.issue({ cn, orgs, client: true });
    },
  };
}

/**
 * Virtual clusters owned by this test file: started on demand, all stopped after the file's tests.
 */
export function useVirtualClusters(): StartVirtualCluster {
  const kube = inject('kube');
  const dir = mkdtempSync(join(kube.dir, 'worker-'));
  const supervisor = new Supervisor(dir);
  afterAll(async () => {
    await supervisor.stopAll();
    rmSync(dir, { recursive: true, force: true });
  });
  return virtualClusterFactory(supervisor, binariesIn(kube.binDir), kube.etcdUrl, dir);
}
