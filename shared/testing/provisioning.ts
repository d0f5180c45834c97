import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { parseEnv } from '../env';
import type { Kube } from '../k8s/rest';
import type { Platform } from '../platform';
import { chartOptions, hostCluster } from '../provisioner/host';
import { type Outcome, type ProvisionerDeps, Requeue, reconcileWorkspace } from '../provisioner/reconcile';
import { kubectl } from './kube/kubectl';
import { createCertificateAuthority } from './kube/pki';
import { kubeEnvironment } from './kube/worker';
import { usePlatform } from './platform';

/**
 * The whole platform as a user meets it: every function behind Hexabase's HTTPS public URL (the issuer vClusters
 * trust, with its own CA), the provisioner against the run's host cluster and stand-ins, and workspaces exposed
 * through the ingress stand-in. `env` adds or overrides settings (e.g. another exposure mode).
 */
export function useProvisioning(env: () => Record<string, string> = () => ({})) {
  const kube = kubeEnvironment();
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-prov-'));
  const caFile = join(dir, 'issuer-ca.pem');
  let server: Server | undefined;
  let port = 0;
  let caPem = '';
  let handler: (req: never, res: never) => void = () => {};
  beforeAll(async () => {
    const ca = await createCertificateAuthority('hexabase-public-ca');
    const tls = await ca.issue({ cn: 'localhost', ips: ['127.0.0.1'] });
    writeFileSync(caFile, ca.certPem);
    caPem = ca.certPem;
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) =>
      handler(req as never, res as never),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server?.close());
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: `https://127.0.0.1:${port}`,
    HEXABASE_ISSUER_CA_FILE: caFile,
    KUBECONFIG: kube.hostKubeconfigPath,
    ...kube.exposureEnv,
    ...env(),
  }));
  let local: ReturnType<typeof createLocalServer> | undefined;
  beforeAll(() => {
    local = createLocalServer(platform());
    handler = getRequestListener((req) => local!.fetch(req)) as never;
  });
  const deps = (): ProvisionerDeps => ({
    db: platform().db,
    authzCache: platform().authz.cache,
    host: hostCluster(platform().env),
    chart: chartOptions(platform().env),
    log: platform().log,
  });
  const converge = (wsId: string, d: ProvisionerDeps = deps()) => convergeWorkspace(d, wsId);
  /** A request to the public API as a signed-in user (bearer token), through the route table. */
  const api = (token: string, path: string, init: RequestInit = {}) =>
    local!.fetch(
      new Request(`https://127.0.0.1:${port}${path}`, {
        ...init,
        headers: {
          authorization: `Bearer ${token}`,
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.headers as Record<string, string>),
        },
      }),
    );
  const kubeconfigFile = (kubeconfig: string) => {
    const file = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
    writeFileSync(file, kubeconfig, { mode: 0o600 });
    return file;
  };
  /** kubectl with a downloaded kubeconfig, used as is (TLS verified against the CA it carries). */
  const kubectlWith = (kubeconfig: string, ...args: string[]) =>
    kubectl(kube.kubectl, args, { kubeconfig: kubeconfigFile(kubeconfig) });
  const applyWith = (kubeconfig: string, yaml: string) =>
    kubectl(kube.kubectl, ['apply', '-f', '-'], { kubeconfig: kubeconfigFile(kubeconfig), input: yaml });
  return {
    platform,
    deps,
    converge,
    api,
    kubectlWith,
    applyWith,
    kube,
    publicUrl: () => `https://127.0.0.1:${port}`,
    /** The public URL's CA (PEM), for clients that must trust it: kubectl has it in kubeconfigs, browsers need it. */
    caPem: () => caPem,
  };
}

/** The settings a provisioner runs with against this run's host cluster (an https issuer URL, as kube-apiserver insists). */
export function hostClusterEnv() {
  const kubeEnv = kubeEnvironment();
  return parseEnv({
    KUBECONFIG: kubeEnv.hostKubeconfigPath,
    HEXABASE_PUBLIC_URL: 'https://127.0.0.1:9',
    ...kubeEnv.exposureEnv,
  });
}

/** The provisioner's dependencies as its worker builds them, against the host cluster or the given `host`. */
/**
 * What the dispatcher does with Requeue: deliver again after a pause, until the workspace settles (or, past
 * `timeoutMs`, the last Requeue is thrown with its reason).
 */
export async function convergeWorkspace(
  deps: ProvisionerDeps,
  wsId: string,
  timeoutMs = 90_000,
): Promise<Outcome> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await reconcileWorkspace(deps, wsId);
    } catch (err) {
      if (!(err instanceof Requeue) || Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

export function hostProvisionerDeps(
  platform: Pick<Platform, 'db' | 'authz' | 'log'>,
  host: Kube | undefined = hostCluster(hostClusterEnv()),
): ProvisionerDeps {
  return {
    db: platform.db,
    authzCache: platform.authz.cache,
    host,
    chart: chartOptions(hostClusterEnv()),
    log: platform.log,
  };
}
