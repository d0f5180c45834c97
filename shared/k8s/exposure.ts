import { RELEASE, VCLUSTER_API_PORT, VCLUSTER_POD_LABELS } from './names';
import type { K8sObject } from './vcluster-objects';

/**
 * How users' kubectl reaches a vCluster API server from outside the host cluster (CONTRACT: Endpoint). TLS always
 * ends at the vCluster API server, so the certificate users verify is the vCluster's own, whatever sits in front.
 */
export type Exposure =
  | {
      mode: 'ingress';
      controller: 'nginx' | 'traefik';
      domain: string;
      /** The port users reach the controller's TLS entry point on. */
      port: number;
      /** The controller's namespace: the only one outside the tenant that may reach the API server. */
      namespace: string;
    }
  | { mode: 'loadbalancer' }
  | { mode: 'nodeport'; nodeAddress: string };

export const publicHost = (domain: string, wsId: string) => `${wsId}.${domain}`;

/** K3s runs Traefik in kube-system; ingress-nginx installs into its own namespace. */
export const defaultIngressNamespace = (controller: 'nginx' | 'traefik') =>
  controller === 'nginx' ? 'ingress-nginx' : 'kube-system';

/** Chart values for the exposure: the Service type, the chart's own Ingress (nginx), the certificate's SANs. */
export function exposureValues(wsId: string, e: Exposure): Record<string, unknown> {
  switch (e.mode) {
    case 'ingress': {
      const host = publicHost(e.domain, wsId);
      const nginx = {
        ingress: {
          enabled: true,
          host,
          pathType: 'ImplementationSpecific',
          annotations: {
            'nginx.ingress.kubernetes.io/backend-protocol': 'HTTPS',
            'nginx.ingress.kubernetes.io/ssl-passthrough': 'true',
            'nginx.ingress.kubernetes.io/ssl-redirect': 'true',
          },
          spec: { ingressClassName: 'nginx' },
        },
      };
      return { controlPlane: { proxy: { extraSANs: [host] }, ...(e.controller === 'nginx' ? nginx : {}) } };
    }
    case 'loadbalancer':
      // vCluster adds the load balancer's address to its certificate once the Service has one.
      return { controlPlane: { service: { spec: { type: 'LoadBalancer' } } } };
    case 'nodeport':
      return {
        controlPlane: { service: { spec: { type: 'NodePort' } }, proxy: { extraSANs: [e.nodeAddress] } },
      };
  }
}

/**
 * Host objects Hexabase applies for the exposure: who may reach the API server port (the ingress controller's
 * namespace, or anyone for a load balancer / node port, whose clients arrive with their own addresses), and for
 * Traefik the TCP route, since the chart only renders networking.k8s.io Ingresses.
 */
export function exposureObjects(
  ws: { id: string; namespace: string; labels: Record<string, string> },
  e: Exposure,
): K8sObject[] {
  const from =
    e.mode === 'ingress'
      ? [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': e.namespace } } }]
      : [{ ipBlock: { cidr: '0.0.0.0/0' } }, { ipBlock: { cidr: '::/0' } }];
  const policy: K8sObject = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'hexabase-api-access', namespace: ws.namespace, labels: ws.labels },
    spec: {
      podSelector: { matchLabels: { ...VCLUSTER_POD_LABELS } },
      policyTypes: ['Ingress'],
      ingress: [{ from, ports: [{ protocol: 'TCP', port: VCLUSTER_API_PORT }] }],
    },
  };
  if (e.mode !== 'ingress' || e.controller !== 'traefik') return [policy];
  const route: K8sObject = {
    apiVersion: 'traefik.io/v1alpha1',
    kind: 'IngressRouteTCP',
    metadata: { name: `${RELEASE}-api`, namespace: ws.namespace, labels: ws.labels },
    spec: {
      entryPoints: ['websecure'],
      routes: [
        { match: `HostSNI(\`${publicHost(e.domain, ws.id)}\`)`, services: [{ name: RELEASE, port: 443 }] },
      ],
      tls: { passthrough: true },
    },
  };
  return [policy, route];
}

type ObservedService = {
  spec?: { type?: string; ports?: { name?: string; port?: number; nodePort?: number }[] };
  status?: { loadBalancer?: { ingress?: { ip?: string; hostname?: string }[] } };
};

/**
 * The URL kubectl uses. Ingress hosts are known up front; a load balancer's address and a node port exist only
 * once Kubernetes assigned them, so until then there is no endpoint (undefined).
 */
export function publicEndpoint(wsId: string, e: Exposure, service?: ObservedService): string | undefined {
  if (e.mode === 'ingress')
    return `https://${publicHost(e.domain, wsId)}${e.port === 443 ? '' : `:${e.port}`}`;
  if (e.mode === 'loadbalancer') {
    const lb = service?.status?.loadBalancer?.ingress?.[0];
    const address = lb?.hostname || lb?.ip;
    if (!address) return undefined;
    return `https://${address.includes(':') ? `[${address}]` : address}`;
  }
  const port = service?.spec?.ports?.find((p) => p.name === 'https' || p.port === 443)?.nodePort;
  return port ? `https://${e.nodeAddress}:${port}` : undefined;
}
