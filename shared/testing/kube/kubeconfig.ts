import { stringify } from 'yaml';

export type Credentials = { caPem: string; certPem?: string; keyPem?: string; token?: string };

const b64 = (s: string) => Buffer.from(s).toString('base64');

/** A kubeconfig with embedded credentials, the form vCluster exports and kubectl reads. */
export function kubeconfigYaml(opts: { name: string; server: string } & Credentials): string {
  return stringify({
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [
      { name: opts.name, cluster: { server: opts.server, 'certificate-authority-data': b64(opts.caPem) } },
    ],
    users: [
      {
        name: opts.name,
        user: {
          ...(opts.certPem ? { 'client-certificate-data': b64(opts.certPem) } : {}),
          ...(opts.keyPem ? { 'client-key-data': b64(opts.keyPem) } : {}),
          ...(opts.token ? { token: opts.token } : {}),
        },
      },
    ],
    contexts: [{ name: opts.name, context: { cluster: opts.name, user: opts.name } }],
    'current-context': opts.name,
  });
}

/**
 * The admin kubeconfig Secret vCluster exports (`exportKubeConfig.secret`): key `config`, and the CA, client
 * certificate and key on their own, as the chart's Secret carries them.
 */
export function exportedKubeconfigSecret(opts: {
  name: string;
  namespace: string;
  release: string;
  server: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}) {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: {
      name: opts.name,
      namespace: opts.namespace,
      labels: { app: 'vcluster', release: opts.release },
    },
    type: 'Opaque',
    stringData: {
      config: kubeconfigYaml({ ...opts, name: `vcluster-${opts.release}` }),
      'certificate-authority': opts.caPem,
      'client-certificate': opts.certPem,
      'client-key': opts.keyPem,
    },
  };
}
