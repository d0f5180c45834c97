import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Binaries, ensureBinaries } from './binaries';
import {
  type ApiServer,
  authenticationConfiguration,
  type Etcd,
  type OidcTrust,
  startControlPlane,
  startEtcd,
} from './control-plane';
import { Supervisor } from './supervisor';

export type VirtualCluster = ApiServer & {
  /** Rewrites the authentication config file; kube-apiserver reloads it without a restart. */
  setAuthenticationConfig: (config: string | undefined) => void;
  /** Stops its processes; `relaunch()` brings it back with its objects (its etcd prefix is untouched). */
  stop: () => Promise<void>;
};

export type VirtualClusterOptions = {
  name: string;
  oidc?: OidcTrust;
  authenticationConfig?: string;
  sans?: string[];
};
export type StartVirtualCluster = (opts: VirtualClusterOptions) => Promise<VirtualCluster>;

export type TestEnvironment = {
  binaries: Binaries;
  etcd: Etcd;
  host: ApiServer;
  dir: string;
  supervisor: Supervisor;
  startVirtualCluster: StartVirtualCluster;
  stop: () => Promise<void>;
};

const EMPTY_AUTHN = 'apiVersion: apiserver.config.k8s.io/v1\nkind: AuthenticationConfiguration\njwt: []\n';

/**
 * Virtual clusters are further control planes on the shared etcd under their own prefix, as vCluster's k8s
 * distro is. Any process can start them (a test file's worker too) with its own supervisor.
 */
export function virtualClusterFactory(
  supervisor: Supervisor,
  binaries: Binaries,
  etcdUrl: string,
  dir: string,
): StartVirtualCluster {
  return async (vc) => {
    const id = `${vc.name}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`;
    const vdir = join(dir, 'virtual', id);
    mkdirSync(vdir, { recursive: true });
    const authnPath = join(vdir, 'authentication.yaml');
    const writeAuthn = (content: string) => writeFileSync(authnPath, content);
    writeAuthn(vc.authenticationConfig ?? (vc.oidc ? authenticationConfiguration(vc.oidc) : EMPTY_AUTHN));
    const cp = await startControlPlane(supervisor, binaries, {
      name: vc.name,
      dir: vdir,
      etcdUrl,
      etcdPrefix: `/registry-vc/${id}`,
      authenticationConfigPath: authnPath,
      ...(vc.sans ? { sans: vc.sans } : {}),
    });
    return {
      ...cp,
      setAuthenticationConfig: (config) => writeAuthn(config ?? EMPTY_AUTHN),
      stop: async () => {
        await Promise.all(cp.processes.map((p) => supervisor.stop(p)));
      },
    };
  };
}

/** One etcd and a host cluster (kube-apiserver + kube-controller-manager) built from upstream sources. */
export async function startTestEnvironment(opts: { dir?: string } = {}): Promise<TestEnvironment> {
  const binaries = ensureBinaries();
  const dir = opts.dir ?? mkdtempSync(join(tmpdir(), 'hexabase-kube-'));
  const ownsDir = !opts.dir;
  mkdirSync(dir, { recursive: true });
  const supervisor = new Supervisor(dir);
  try {
    const etcd = await startEtcd(supervisor, binaries, dir);
    const host = await startControlPlane(supervisor, binaries, {
      name: 'host',
      dir: join(dir, 'host'),
      etcdUrl: etcd.url,
      etcdPrefix: '/registry-host',
    });
    return {
      binaries,
      etcd,
      host,
      dir,
      supervisor,
      startVirtualCluster: virtualClusterFactory(supervisor, binaries, etcd.url, dir),
      stop: async () => {
        await supervisor.stopAll();
        if (ownsDir) rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await supervisor.stopAll();
    throw err;
  }
}
