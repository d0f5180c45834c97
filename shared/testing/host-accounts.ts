import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { hostRbac, PROVISIONER_SA, USAGE_SAMPLER_SA, WORKSPACES_SA } from '../deploy/rbac';
import { type Credentials, credentialsFromKubeconfig, type Kube, kube, type Ref } from '../k8s/rest';
import { kubeconfigYaml } from './kube/kubeconfig';
import { kubectl } from './kube/kubectl';
import { waitFor } from './kube/supervisor';
import { kubeEnvironment } from './kube/worker';

/**
 * The host cluster as the functions that call it see it in a cluster: the chart's RBAC (shared/deploy/rbac.ts)
 * applied as an operator applies it, and a ServiceAccount's token minted through the TokenRequest API
 * (`kubectl create token`), nothing else. Least privilege proven by use: a reconcile that needs a right the chart
 * does not grant fails with the API server's 403.
 *
 * Every test file of a run shares ONE host kube-apiserver, and many apply these objects at once: server-side apply
 * with one field manager is idempotent (same fields, same owner), and a request lost to a race is retried.
 */
export const HOST_ACCOUNTS_NAMESPACE = 'hexabase';
const FIELD_MANAGER = 'hexabase-tests';
/** Longer than any test process lives; a fresh token is minted per process. */
const TOKEN_DURATION = '2h';

/** What each account may do, asked once after its token is minted: RBAC reaches the authorizer a moment later. */
const PROBES: Record<string, (k: Kube) => Promise<unknown>> = {
  [PROVISIONER_SA]: (k) => k.list({ kind: 'Node' }, 'hexabase.ai/rbac-probe=none'),
  [WORKSPACES_SA]: (k) => k.list({ kind: 'Node' }, 'hexabase.ai/rbac-probe=none'),
  [USAGE_SAMPLER_SA]: (k) => k.get({ kind: 'HelmRelease', name: 'vcluster', namespace: 'hxb-rbac-probe' }),
};

const admin = (args: string[], input?: string) => {
  const env = kubeEnvironment();
  return kubectl(env.kubectl, args, { kubeconfig: env.hostKubeconfigPath, ...(input ? { input } : {}) });
};

/** Runs an admin kubectl until it succeeds (a concurrent apply of the same objects can lose a race). */
async function adminRetried(what: string, args: string[], input?: string): Promise<string> {
  let last = '';
  for (let attempt = 0; attempt < 8; attempt++) {
    const r = await admin(args, input);
    if (r.code === 0) return r.stdout;
    last = r.stderr.trim();
    await new Promise((res) => setTimeout(res, 200 * (attempt + 1)));
  }
  throw new Error(`${what} failed: ${last}`);
}

let applied: Promise<unknown> | undefined;

/** The chart's host RBAC in namespace `hexabase`, applied once per process. */
export function applyHostRbac(): Promise<unknown> {
  applied ??= adminRetried(
    'applying the host RBAC',
    ['apply', '--server-side', '--force-conflicts', `--field-manager=${FIELD_MANAGER}`, '-f', '-'],
    [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: HOST_ACCOUNTS_NAMESPACE } },
      ...hostRbac({ namespace: HOST_ACCOUNTS_NAMESPACE }),
    ]
      .map((o) => stringify(o))
      .join('---\n'),
  ).catch((err) => {
    applied = undefined; // the next caller tries again
    throw err;
  });
  return applied;
}

const credentials = new Map<string, Promise<Credentials>>();

/** The host API server and CA with the account's token alone (no client certificate), cached per process. */
export function serviceAccountCredentials(account: string): Promise<Credentials> {
  let creds = credentials.get(account);
  if (!creds) {
    creds = (async () => {
      await applyHostRbac();
      const token = (
        await adminRetried(`a token for ${account}`, [
          'create',
          'token',
          account,
          '-n',
          HOST_ACCOUNTS_NAMESPACE,
          '--duration',
          TOKEN_DURATION,
        ])
      ).trim();
      const { server, ca } = credentialsFromKubeconfig(kubeEnvironment().hostKubeconfig);
      const c: Credentials = { server, ...(ca ? { ca } : {}), token };
      const probe = PROBES[account];
      if (probe)
        await waitFor(`the RBAC of ${account} in effect`, () => probe(kube(c)).then(() => true), {
          timeoutMs: 30_000,
          intervalMs: 200,
        });
      return c;
    })();
    creds.catch(() => credentials.delete(account));
    credentials.set(account, creds);
  }
  return creds;
}

/**
 * A host client that is the account's token: usable at once (each call waits for the token the first time), so
 * synchronous helpers such as `hostProvisionerDeps` can hand it out.
 */
export function serviceAccountHost(account: string): Kube {
  const client = serviceAccountCredentials(account).then((c) => kube(c));
  client.catch(() => {}); // reported by the calls that use it
  return {
    apply: async (obj) => (await client).apply(obj),
    get: async <T>(ref: Ref) => (await client).get<T>(ref),
    list: async <T>(ref: Ref, selector: string) => (await client).list<T>(ref, selector),
    delete: async (ref) => (await client).delete(ref),
    patch: async <T>(ref: Ref, patch: Record<string, unknown>) => (await client).patch<T>(ref, patch),
  };
}

/** The provisioner's host client in tests: its ServiceAccount's token, as in the chart. */
export const provisionerHostClient = (): Kube => serviceAccountHost(PROVISIONER_SA);

let kubeconfigDir: string | undefined;

/** A kubeconfig file with the account's token alone, for what reads KUBECONFIG (a function's `hostCluster(env)`). */
export async function serviceAccountKubeconfig(account: string): Promise<string> {
  const c = await serviceAccountCredentials(account);
  kubeconfigDir ??= mkdtempSync(join(kubeEnvironment().dir, 'accounts-'));
  const file = join(kubeconfigDir, `${account}.kubeconfig`);
  try {
    if (readFileSync(file, 'utf8').includes(c.token!)) return file;
  } catch {}
  writeFileSync(
    file,
    kubeconfigYaml({ name: account, server: c.server, caPem: c.ca ?? '', token: c.token! }),
    { mode: 0o600 },
  );
  return file;
}
