import { LABELS } from './knative';

/**
 * The platform namespace admits traffic only from where it comes: the ingress controller (public functions), the
 * platform's own pods (the relay delivering events, functions calling each other), Knative's data plane in Knative
 * mode (activator, gateway, broker filter), and Prometheus on the metrics port. Egress stays open: the database,
 * Redis and NATS may be outside the cluster, and Stripe, SMTP, identity providers and the host API server are
 * reached by address. Tenant namespaces (hxb-*) get their own policies from the provisioner with each workspace.
 */
export type NetworkPolicyOptions = {
  namespace: string;
  knative: boolean;
  /** Namespaces of the ingress controller (K3s: kube-system for Traefik). */
  ingressNamespaces: string[];
  /** Namespaces Prometheus scrapes from. */
  monitoringNamespaces: string[];
  metricsPort: number;
};

/** Knative's data plane: the activator and autoscaler, the networking layer's gateways, the broker's filter. */
export const KNATIVE_NAMESPACES = ['knative-serving', 'kourier-system', 'knative-eventing'];

const fromNamespaces = (names: string[]) => ({
  namespaceSelector: {
    matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: names }],
  },
});

const policy = (name: string, opts: NetworkPolicyOptions, spec: object) => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'NetworkPolicy',
  metadata: { name, namespace: opts.namespace, labels: LABELS },
  spec,
});

export function platformNetworkPolicies(opts: NetworkPolicyOptions) {
  const platformPods = { podSelector: { matchLabels: { 'app.kubernetes.io/part-of': 'hexabase' } } };
  return [
    // Everything not admitted below is dropped.
    policy('hexabase-default-deny-ingress', opts, { podSelector: {}, policyTypes: ['Ingress'] }),
    policy('hexabase-allow-platform', opts, {
      podSelector: platformPods.podSelector,
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: {} }] },
        // Under Knative requests reach the queue-proxy's ports, not the container's: admit by origin only.
        {
          from: [
            fromNamespaces(opts.ingressNamespaces),
            ...(opts.knative ? [fromNamespaces(KNATIVE_NAMESPACES)] : []),
          ],
          ...(opts.knative ? {} : { ports: [{ port: 'http', protocol: 'TCP' }] }),
        },
        {
          from: [fromNamespaces(opts.monitoringNamespaces)],
          ports: [{ port: opts.metricsPort, protocol: 'TCP' }],
        },
      ],
    }),
  ];
}
