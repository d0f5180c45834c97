import type { FunctionRoute } from '../routes/table';
import { HOST_ACCOUNTS } from './rbac';

export type DeployOptions = {
  namespace: string;
  image: string;
  /** Secret holding DATABASE_URL, REDIS_URL, NATS_URL and the other settings (see README). */
  envSecret: string;
  host: string;
  /** The cluster's ingress controller (HEXABASE_VCLUSTER_INGRESS): K3s ships Traefik. */
  ingressController: 'nginx' | 'traefik';
  /** METRICS_PORT of every function: Prometheus scrapes the pod there, past Knative's queue-proxy. */
  metricsPort: number;
  /** The Secret holding the public host's certificate. */
  tlsSecret?: string;
};

/** Labels every object of the platform carries; the component names the function. */
export const LABELS = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };

/** Every platform container: non-root, no escalation, no capabilities, nothing written outside its volumes. */
export const RESTRICTED_CONTAINER = {
  runAsNonRoot: true,
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ['ALL'] },
};

/** Name, namespace and labels of a function's objects (its Service, Deployment, HPA, PDB, Ingress). */
export const functionMetadata = (
  route: Pick<FunctionRoute, 'name'>,
  opts: Pick<DeployOptions, 'namespace'>,
) => ({
  name: `hexabase-${route.name}`,
  namespace: opts.namespace,
  labels: { ...LABELS, 'app.kubernetes.io/component': route.name },
});

/** Prometheus scrapes the pod on the metrics port, never the routed one. */
export const scrapeAnnotations = (opts: Pick<DeployOptions, 'metricsPort'>) => ({
  'prometheus.io/scrape': 'true',
  'prometheus.io/port': String(opts.metricsPort),
  'prometheus.io/path': '/metrics',
});

/**
 * The function's one container, the same under Knative and in a Deployment: the shared image started at the
 * function's entry point, settings from the env Secret, non-root on a read-only root filesystem.
 */
export function functionContainer(route: FunctionRoute, opts: DeployOptions, env: Record<string, string>) {
  return {
    name: 'function',
    image: opts.image,
    command: ['node', `/app/dist/functions/${route.name}/index.mjs`],
    ports: [{ containerPort: 8080, name: 'http1' }],
    envFrom: [{ secretRef: { name: opts.envSecret } }],
    env: Object.entries(env).map(([name, value]) => ({ name, value })),
    readinessProbe: { httpGet: { path: '/readyz' }, periodSeconds: 5 },
    livenessProbe: { httpGet: { path: '/healthz' }, periodSeconds: 10 },
    resources: { requests: { cpu: '50m', memory: '96Mi' }, limits: { memory: '256Mi' } },
    securityContext: RESTRICTED_CONTAINER,
  };
}

/**
 * One Knative Service per function of the route table; all share one image and differ by entry point.
 * Knative admits a single container port (the one it routes requests to), so the metrics port is declared
 * by the scrape annotations, which Knative copies onto the pods, and pinned by METRICS_PORT in the env, which
 * wins over the env Secret.
 */
export function knativeService(
  route: FunctionRoute,
  opts: DeployOptions,
  extraEnv: Record<string, string> = {},
) {
  const env = { METRICS_PORT: String(opts.metricsPort), ...extraEnv };
  return {
    apiVersion: 'serving.knative.dev/v1',
    kind: 'Service',
    metadata: functionMetadata(route, opts),
    spec: {
      template: {
        metadata: {
          annotations: {
            'autoscaling.knative.dev/min-scale': String(route.scale?.min ?? 1),
            'autoscaling.knative.dev/max-scale': String(route.scale?.max ?? 10),
            ...scrapeAnnotations(opts),
          },
        },
        spec: {
          ...(HOST_ACCOUNTS[route.name] ? { serviceAccountName: HOST_ACCOUNTS[route.name] } : {}),
          containerConcurrency: 0,
          timeoutSeconds: 300,
          containers: [functionContainer(route, opts, env)],
        },
      },
    },
  };
}

// The root prefix (the console) is every path: `/` itself, the least specific pattern (lowest priority).
const toRegex = (prefix: string) => (prefix === '/' ? '/' : `${prefix.replaceAll('*', '[^/]+')}(/|$)`);
const upstream = (route: FunctionRoute, opts: DeployOptions) =>
  `hexabase-${route.name}.${opts.namespace}.svc.cluster.local`;

/** Longer prefixes first, and among equals the one with fewer wildcards, as the route table decides. */
const priority = (prefix: string) => {
  const segments = prefix.split('/').filter(Boolean);
  return 100 + segments.length * 10 - segments.filter((s) => s === '*').length;
};

/**
 * Per controller: ingress-nginx selects the Knative service with `upstream-vhost` and matches regex paths;
 * Traefik matches anchored `PathRegexp`s with explicit priorities and sets the Host through a Middleware.
 */
function controllerSpecific(
  route: FunctionRoute,
  opts: DeployOptions,
  knative: boolean,
): { annotations: Record<string, string>; path: (prefix: string) => string } {
  if (opts.ingressController === 'nginx')
    return {
      annotations: {
        'nginx.ingress.kubernetes.io/use-regex': 'true',
        ...(knative ? { 'nginx.ingress.kubernetes.io/upstream-vhost': upstream(route, opts) } : {}),
      },
      path: toRegex,
    };
  return {
    annotations: {
      'traefik.ingress.kubernetes.io/router.entrypoints': 'websecure',
      'traefik.ingress.kubernetes.io/router.tls': 'true',
      'traefik.ingress.kubernetes.io/router.pathmatcher': 'PathRegexp',
      'traefik.ingress.kubernetes.io/router.priority': String(Math.max(...route.prefixes.map(priority))),
      ...(knative
        ? {
            'traefik.ingress.kubernetes.io/router.middlewares': `${opts.namespace}-hexabase-${route.name}-host@kubernetescrd`,
          }
        : {}),
    },
    // Traefik's PathRegexp is unanchored and the API server wants every path to start with `/`: `/{0}` matches
    // nothing, so `/{0}^/auth(/|$)` is the anchored `^/auth(/|$)` spelled as an absolute path.
    path: (prefix: string) => `/{0}^${toRegex(prefix)}`,
  };
}

/** Traefik only: the Host header Knative routes on, per function. */
export function hostMiddlewares(routes: FunctionRoute[], opts: DeployOptions) {
  if (opts.ingressController !== 'traefik') return [];
  return routes
    .filter((route) => route.prefixes.length > 0)
    .map((route) => ({
      apiVersion: 'traefik.io/v1alpha1',
      kind: 'Middleware',
      metadata: {
        name: `hexabase-${route.name}-host`,
        namespace: opts.namespace,
        labels: { ...LABELS, 'app.kubernetes.io/component': route.name },
      },
      spec: { headers: { customRequestHeaders: { Host: upstream(route, opts) } } },
    }));
}

/**
 * The public origin: path prefixes → the functions' Services. Wildcard segments need regex paths. Knative routes
 * by Host, so under Knative the controller rewrites it to the function's; a plain Service (deployments mode) needs
 * no rewrite.
 */
export function ingress(routes: FunctionRoute[], opts: DeployOptions, { knative = true } = {}) {
  return routes
    .filter((route) => route.prefixes.length > 0)
    .map((route) => {
      const specific = controllerSpecific(route, opts, knative);
      return {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: {
          name: `hexabase-${route.name}`,
          namespace: opts.namespace,
          labels: { ...LABELS, 'app.kubernetes.io/component': route.name },
          annotations: specific.annotations,
        },
        spec: {
          ingressClassName: opts.ingressController,
          rules: [
            {
              host: opts.host,
              http: {
                paths: route.prefixes.map((prefix) => ({
                  path: specific.path(prefix),
                  pathType: 'ImplementationSpecific',
                  backend: { service: { name: `hexabase-${route.name}`, port: { number: 80 } } },
                })),
              },
            },
          ],
          tls: [{ hosts: [opts.host], secretName: opts.tlsSecret ?? 'hexabase-tls' }],
        },
      };
    });
}
