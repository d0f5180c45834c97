import type { ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { stringify } from 'yaml';
import type { Binaries } from './binaries';
import { kubeconfigYaml } from './kubeconfig';
import {
  type CertificateAuthority,
  createCertificateAuthority,
  type Issued,
  serviceAccountKeys,
} from './pki';
import { freePort, type Supervisor, waitFor } from './supervisor';

export type Etcd = { url: string; process: ChildProcess };

export async function startEtcd(sup: Supervisor, bins: Binaries, dir: string): Promise<Etcd> {
  const [client, peer] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${client}`;
  const proc = sup.start('etcd', bins.etcd, [
    '--name=hexabase-test',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${peer}`,
    `--initial-cluster=hexabase-test=http://127.0.0.1:${peer}`,
    // Test data is disposable: skip fsync so a busy 2-core machine is not disk-bound.
    '--unsafe-no-fsync',
    '--quota-backend-bytes=4294967296',
    '--log-level=warn',
  ]);
  await waitFor('etcd', async () => ((await fetch(`${url}/health`)).ok ? true : undefined), {
    timeoutMs: 30_000,
    diagnostics: () => sup.logTail('etcd'),
  });
  return { url, process: proc };
}

export type OidcTrust = {
  issuer: string;
  audience: string;
  caPem?: string;
  usernameClaim?: string;
  usernamePrefix?: string;
  groupsClaim?: string;
  groupsPrefix?: string;
};

/** The structured authentication config (apiserver.config.k8s.io/v1) for one trusted JWT issuer. */
export function authenticationConfiguration(trust: OidcTrust): string {
  return stringify({
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: {
          url: trust.issuer,
          audiences: [trust.audience],
          ...(trust.caPem ? { certificateAuthority: trust.caPem } : {}),
        },
        claimMappings: {
          username: { claim: trust.usernameClaim ?? 'sub', prefix: trust.usernamePrefix ?? '' },
          groups: { claim: trust.groupsClaim ?? 'groups', prefix: trust.groupsPrefix ?? '' },
        },
      },
    ],
  });
}

export type ApiServer = {
  name: string;
  url: string;
  ca: CertificateAuthority;
  admin: Issued;
  kubeconfig: string;
  kubeconfigPath: string;
  dir: string;
  processes: ChildProcess[];
  /**
   * Starts the processes again, once stopped, with the same flags: the same port, certificates and etcd prefix, so
   * the cluster comes back with its objects and every kubeconfig written for it still works.
   */
  relaunch: () => Promise<void>;
};

function get(url: string, tls: { ca: string; cert: string; key: string }): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ...tls, timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}

/**
 * kube-apiserver + kube-controller-manager with their own CA, serving certificate, service-account keys and a
 * system:masters client certificate. `authenticationConfig` (a file path) adds trust in a JWT issuer.
 */
export async function startControlPlane(
  sup: Supervisor,
  bins: Binaries,
  opts: {
    name: string;
    dir: string;
    etcdUrl: string;
    etcdPrefix: string;
    authenticationConfigPath?: string;
    /** More names or addresses on the serving certificate (vCluster's Service names, extraSANs, LB address). */
    sans?: string[];
  },
): Promise<ApiServer> {
  mkdirSync(opts.dir, { recursive: true });
  const ca = await createCertificateAuthority(`${opts.name}-ca`);
  const extra = [...new Set(opts.sans ?? [])];
  const serving = await ca.issue({
    cn: 'kube-apiserver',
    dnsNames: [
      'localhost',
      'kubernetes',
      'kubernetes.default',
      'kubernetes.default.svc',
      ...extra.filter((n) => !isIP(n)),
    ],
    ips: ['127.0.0.1', ...extra.filter((n) => isIP(n) && n !== '127.0.0.1')],
  });
  const admin = await ca.issue({ cn: 'hexabase-admin', orgs: ['system:masters'], client: true });
  const sa = serviceAccountKeys();
  const file = (name: string, content: string) => {
    const p = join(opts.dir, name);
    writeFileSync(p, content, { mode: 0o600 });
    return p;
  };
  const caFile = file('ca.crt', ca.certPem);
  // Kept beside the cluster so other processes of the run can issue client certificates (test users).
  file('ca.key', ca.keyPem);
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const kubeconfig = kubeconfigYaml({
    name: opts.name,
    server: url,
    caPem: ca.certPem,
    certPem: admin.certPem,
    keyPem: admin.keyPem,
  });
  const kubeconfigPath = file('kubeconfig', kubeconfig);

  const apiserverArgs = [
    `--etcd-servers=${opts.etcdUrl}`,
    `--etcd-prefix=${opts.etcdPrefix}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    '--advertise-address=127.0.0.1',
    `--tls-cert-file=${file('apiserver.crt', serving.certPem)}`,
    `--tls-private-key-file=${file('apiserver.key', serving.keyPem)}`,
    `--client-ca-file=${caFile}`,
    `--service-account-key-file=${file('sa.pub', sa.publicPem)}`,
    `--service-account-signing-key-file=${file('sa.key', sa.privatePem)}`,
    '--service-account-issuer=https://kubernetes.default.svc',
    '--api-audiences=https://kubernetes.default.svc',
    '--authorization-mode=RBAC',
    '--service-cluster-ip-range=10.96.0.0/16',
    '--enable-priority-and-fairness=false',
    '--profiling=false',
    '--endpoint-reconciler-type=none',
    ...(opts.authenticationConfigPath ? [`--authentication-config=${opts.authenticationConfigPath}`] : []),
    '-v=1',
  ];
  const kcmArgs = [
    `--kubeconfig=${kubeconfigPath}`,
    '--controllers=namespace-controller,resourcequota-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller,clusterrole-aggregation-controller',
    `--service-account-private-key-file=${join(opts.dir, 'sa.key')}`,
    `--root-ca-file=${caFile}`,
    '--leader-elect=false',
    '--use-service-account-credentials=false',
    `--secure-port=${await freePort()}`,
    '--bind-address=127.0.0.1',
    '--authentication-skip-lookup=true',
    '--concurrent-namespace-syncs=5',
    '--concurrent-resource-quota-syncs=5',
    '--resource-quota-sync-period=30s',
    '-v=1',
  ];
  const tls = { ca: ca.certPem, cert: admin.certPem, key: admin.keyPem };
  // Filled in place on every launch, so whoever holds the list stops the processes that run now.
  const processes: ChildProcess[] = [];
  const launch = async () => {
    const apiserver = sup.start(`${opts.name}-apiserver`, bins.apiserver, apiserverArgs);
    processes.splice(0, processes.length, apiserver);
    await waitFor(
      `${opts.name} kube-apiserver`,
      async () => ((await get(`${url}/readyz`, tls)) === 200 ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 300,
        diagnostics: () => sup.logTail(`${opts.name}-apiserver`),
        // An apiserver that exited (bad flags, invalid authentication config) will not become ready: say why now.
        failed: () =>
          apiserver.exitCode === null
            ? undefined
            : (sup.logTail(`${opts.name}-apiserver`, 5).match(/"command failed" err="([^\n]*)"/)?.[1] ??
              `exited with ${apiserver.exitCode}`),
      },
    );
    processes.push(sup.start(`${opts.name}-controller-manager`, bins.controllerManager, kcmArgs));
  };
  await launch();
  return {
    name: opts.name,
    url,
    ca,
    admin,
    kubeconfig,
    kubeconfigPath,
    dir: opts.dir,
    processes,
    relaunch: launch,
  };
}
