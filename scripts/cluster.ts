import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startTestEnvironment } from '../shared/testing/kube/cluster';
import { startHelmReleaseStandIn } from '../shared/testing/kube/helmrelease-standin';
import { createCertificateAuthority } from '../shared/testing/kube/pki';
import { LOCAL_INGRESS_PORT } from './local-cluster';

/**
 * `npm run cluster`: a local host cluster (etcd + kube-apiserver + kube-controller-manager built from upstream)
 * with the Flux/vCluster stand-in, in the foreground until Ctrl-C. Writes its admin kubeconfig to
 * .hexabase/cluster/kubeconfig, which `KUBECONFIG=.hexabase/cluster/kubeconfig npm start` uses.
 */
const root = resolve(import.meta.dirname, '..');
const base = join(root, '.hexabase', 'cluster');
const runDir = join(base, 'run');
rmSync(runDir, { recursive: true, force: true });
mkdirSync(runDir, { recursive: true });

// A stable CA for Hexabase's local HTTPS OIDC issuer: virtual clusters must trust the issuer's certificate,
// and keeping it across restarts keeps existing workspaces' trust valid.
const issuerDir = join(base, 'issuer');
if (!existsSync(join(issuerDir, 'tls.crt'))) {
  mkdirSync(issuerDir, { recursive: true });
  const ca = await createCertificateAuthority('hexabase-local-issuer-ca');
  const tls = await ca.issue({ cn: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  writeFileSync(join(issuerDir, 'ca.crt'), ca.certPem);
  writeFileSync(join(issuerDir, 'tls.crt'), tls.certPem);
  writeFileSync(join(issuerDir, 'tls.key'), tls.keyPem, { mode: 0o600 });
}

const started = Date.now();
console.log('starting etcd, kube-apiserver and kube-controller-manager …');
const env = await startTestEnvironment({ dir: runDir });
// The port `npm start` names in workspace endpoints (HEXABASE_VCLUSTER_INGRESS_PORT) when it runs against this cluster.
const standIn = await startHelmReleaseStandIn(env, { ingressPort: LOCAL_INGRESS_PORT });
const kubeconfig = join(base, 'kubeconfig');
writeFileSync(kubeconfig, env.host.kubeconfig, { mode: 0o600 });

console.log(`host cluster ready in ${((Date.now() - started) / 1000).toFixed(1)} s at ${env.host.url}`);
console.log(`  admin kubeconfig:   ${kubeconfig}`);
console.log(`  kubectl:            ${env.binaries.kubectl} --kubeconfig ${kubeconfig} get ns`);
console.log(`  issuer TLS (local): ${issuerDir}/{ca.crt,tls.crt,tls.key}`);
console.log(`  component logs:     ${join(runDir, 'logs')}`);
console.log('  HelmReleases of the vcluster chart become virtual clusters (stand-in for Flux + vCluster).');
console.log(
  `  workspace API servers: https://<wsId>.vcluster.localhost:${standIn.ingressPort} (TLS passthrough; names in /etc/hosts)`,
);
console.log('Ctrl-C stops everything.');

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.log('stopping …');
  await standIn.stop();
  await env.stop();
  rmSync(kubeconfig, { force: true });
  console.log('stopped');
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
