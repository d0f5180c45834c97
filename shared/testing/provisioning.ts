import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { HOST_ACCOUNTS, PROVISIONER_SA } from '../deploy/rbac';
import { parseEnv } from '../env';
import type { Kube } from '../k8s/rest';
import type { Platform } from '../platform';
import { chartOptions, hostCluster } from '../provisioner/host';
import { type Outcome, type ProvisionerDeps, Requeue, reconcileWorkspace } from '../provisioner/reconcile';
import { compileRouteTable, routeTable, urlPath } from '../routes/table';
import { provisionerHostClient, serviceAccountKubeconfig } from './host-accounts';
import { kubectl } from './kube/kubectl';
import { createCertificateAuthority } from './kube/pki';
import { kubeEnvironment } from './kube/worker';
import { usePlatform } from './platform';

/**
 * The whole platform as a user meets it: every function behind Hexabase's HTTPS public URL (the issuer vClusters
 * trust, with its own CA), the provisioner against the run's host cluster and stand-ins, and workspaces exposed
 * through the ingress stand-in. `env` adds or overrides settings (e.g. another exposure mode).
 *
 * The host cluster is reached as in the chart: the platform's KUBECONFIG holds the provisioner's ServiceAccount
 * token (so `deps()`, and any worker built from `platform()`, reconcile with exactly the chart's rights), and each
 * function of HOST_ACCOUNTS behind the public URL runs with its own account's token (workspaces claims nodes as
 * hexabase-workspaces). `admin()` is the run's admin certificate, for a test's own setup and assertions.
 */
export function useProvisioning(env: () => Record<string, string> = () => ({})) {
  const kube = kubeEnvironment();
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-prov-'));
  const caFile = join(dir, 'issuer-ca.pem');
  let server: Server | undefined;
  let port = 0;
  let caPem = '';
  let handler: (req: never, res: never) => void = () => {};
  /** The provisioner's kubeconfig for the platform, and each HOST_ACCOUNTS function's for its own server. */
  let platformKubeconfig = '';
  const kubeconfigs: Record<string, string> = {};
  beforeAll(async () => {
    platformKubeconfig = await serviceAccountKubeconfig(PROVISIONER_SA);
    for (const [fn, account] of Object.entries(HOST_ACCOUNTS))
      kubeconfigs[fn] = await serviceAccountKubeconfig(account);
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
    KUBECONFIG: platformKubeconfig,
    ...kube.exposureEnv,
    ...env(),
  }));
  let serve: (req: Request) => Response | Promise<Response> = () => new Response(null, { status: 503 });
  beforeAll(() => {
    const local = createLocalServer(platform());
    // A function served at the public URL whose host account is not the platform's gets a server of its own built
    // with that account (workers have no routes: tests drive them with deps()).
    const own = new Map<string, ReturnType<typeof createLocalServer>>();
    for (const fn of Object.keys(HOST_ACCOUNTS))
      if (kubeconfigs[fn] !== platformKubeconfig && routeTable.find((r) => r.name === fn)?.prefixes.length)
        own.set(
          fn,
          createLocalServer({ ...platform(), env: { ...platform().env, KUBECONFIG: kubeconfigs[fn] } }),
        );
    const match = compileRouteTable(routeTable);
    serve = (req) => (own.get(match(urlPath(req.url))?.name ?? '') ?? local).fetch(req);
    handler = getRequestListener((req) => serve(req)) as never;
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
    serve(
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
    /** The run's admin certificate (system:masters): for a test's own setup and assertions, never the reconciler. */
    admin: hostAdmin,
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

/** The host cluster as its administrator: the run's admin certificate, for what tests do behind Hexabase's back. */
export function hostAdmin(): Kube {
  return hostCluster(hostClusterEnv())!;
}

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

/**
 * The provisioner's dependencies as its worker builds them, against the run's host cluster as the chart's
 * ServiceAccount (`provisionerHostClient()`: its token alone), or the given `host`.
 */
export function hostProvisionerDeps(
  platform: Pick<Platform, 'db' | 'authz' | 'log'>,
  host: Kube | undefined = provisionerHostClient(),
): ProvisionerDeps {
  return {
    db: platform.db,
    authzCache: platform.authz.cache,
    host,
    chart: chartOptions(hostClusterEnv()),
    log: platform.log,
  };
}
