import type { FunctionRoute } from '../routes/table';

export type DeployOptions = {
  namespace: string;
  image: string;
  /** Secret holding DATABASE_URL, REDIS_URL, NATS_URL and the other settings (see README). */
  envSecret: string;
  host: string;
};

const LABELS = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };

/** One Knative Service per function of the route table; all share one image and differ by entry point. */
export function knativeService(route: FunctionRoute, opts: DeployOptions, env: Record<string, string> = {}) {
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: {
      name: `hexabase-${route.name}`,
      namespace: opts.namespace,
      labels: { ...LABELS, 'app.kubernetes.io/component': route.name },
    },
    spec: {
      template: {
        metadata: {
          annotations: {
            'autoscaling.knative.dev/min-scale': String(route.scale?.min ?? 1),
            'autoscaling.knative.dev/max-scale': String(route.scale?.max ?? 10),
          },
        },
        spec: {
          containerConcurrency: 0,
          timeoutSeconds: 300,
          containers: [
            {
              name: 'function',
              image: opts.image,
              command: ['node', `/app/dist/functions/${route.name}/index.mjs`],
              ports: [{ containerPort: 8080, name: 'http1' }],
              envFrom: [{ secretRef: { name: opts.envSecret } }],
              ...(Object.keys(env).length
                ? { env: Object.entries(env).map(([name, value]) => ({ name, value })) }
                : {}),
              readinessProbe: { httpGet: { path: '/readyz' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/healthz' }, periodSeconds: 10 },
              resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
              securityContext: {
                runAsNonRoot: true,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ['ALL'] },
              },
            },
          ],
        },
      },
    },
  };
}

const toRegex = (prefix: string) => `${prefix.replaceAll('*', '[^/]+')}(/|$)`;

/**
 * The public origin: path prefixes → the functions' Knative Services (ingress-nginx in front of the Knative
 * gateway; `upstream-vhost` selects the service). Wildcard segments need regex paths.
 */
export function ingress(routes: FunctionRoute[], opts: DeployOptions) {
  return routes
    .filter((route) => route.prefixes.length > 0)
    .map((route) => ({
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: {
        name: `hexabase-${route.name}`,
        namespace: opts.namespace,
        labels: { ...LABELS, 'app.kubernetes.io/component': route.name },
        annotations: {
          'nginx.ingress.kubernetes.io/use-regex': 'true',
          'nginx.ingress.kubernetes.io/upstream-vhost': `hexabase-${route.name}.${opts.namespace}.svc.cluster.local`,
        },
      },
      spec: {
        ingressClassName: 'nginx',
        rules: [
          {
            host: opts.host,
            http: {
              paths: route.prefixes.map((prefix) => ({
                path: toRegex(prefix),
                pathType: 'ImplementationSpecific',
                backend: { service: { name: `hexabase-${route.name}`, port: { number: 80 } } },
              })),
            },
          },
        ],
        tls: [{ hosts: [opts.host], secretName: 'hexabase-tls' }],
      },
    }));
}
