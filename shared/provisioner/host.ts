import { readFileSync } from 'node:fs';
import type { Env } from '../env';
import { defaultIngressNamespace, type Exposure } from '../k8s/exposure';
import type { ChartOptions } from '../k8s/host-objects';
import { VCLUSTER_CHART_REPOSITORY } from '../k8s/names';
import { credentialsFromKubeconfig, inClusterCredentials, type Kube, kube } from '../k8s/rest';

/** The host cluster: a kubeconfig when KUBECONFIG is set, the pod's service account in a cluster, else none. */
export function hostCluster(env: Env): Kube | undefined {
  if (env.KUBECONFIG) return kube(credentialsFromKubeconfig(readFileSync(env.KUBECONFIG, 'utf8')));
  if (env.KUBERNETES_SERVICE_HOST) return kube(inClusterCredentials(env.KUBERNETES_SERVICE_HOST));
  return undefined;
}

export function chartOptions(env: Env): ChartOptions {
  const base = env.HEXABASE_PUBLIC_URL.replace(/\/$/, '');
  return {
    repository: VCLUSTER_CHART_REPOSITORY.url,
    version: env.HEXABASE_VCLUSTER_CHART_VERSION,
    valuesOverlay: env.HEXABASE_VCLUSTER_VALUES,
    issuerUrl: (wsId) => `${base}/oidc/${wsId}`,
    exposure: exposure(env),
    ...(env.HEXABASE_ISSUER_CA_FILE
      ? { issuerCaPem: readFileSync(env.HEXABASE_ISSUER_CA_FILE, 'utf8') }
      : {}),
  };
}

/** CONTRACT "Endpoint": the operator's choice of how kubectl reaches vCluster API servers. */
export function exposure(env: Env): Exposure {
  switch (env.HEXABASE_VCLUSTER_EXPOSE) {
    case 'ingress':
      return {
        mode: 'ingress',
        controller: env.HEXABASE_VCLUSTER_INGRESS,
        // Production refuses to start without a domain (env schema); local runs use *.vcluster.localhost.
        domain: env.HEXABASE_VCLUSTER_DOMAIN ?? 'vcluster.localhost',
        port: env.HEXABASE_VCLUSTER_INGRESS_PORT,
        namespace:
          env.HEXABASE_VCLUSTER_INGRESS_NAMESPACE ?? defaultIngressNamespace(env.HEXABASE_VCLUSTER_INGRESS),
      };
    case 'loadbalancer':
      return { mode: 'loadbalancer' };
    case 'nodeport':
      return { mode: 'nodeport', nodeAddress: env.HEXABASE_VCLUSTER_NODE_ADDRESS! };
  }
}
