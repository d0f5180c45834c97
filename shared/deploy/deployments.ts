import type { FunctionRoute } from '../routes/table';
import {
  type DeployOptions,
  functionContainer,
  functionMetadata,
  LABELS,
  scrapeAnnotations,
} from './knative';
import { HOST_ACCOUNTS } from './rbac';

/**
 * The deployments mode, for clusters without Knative (K3s ships none): each function is a Deployment behind a
 * ClusterIP Service of the same name (`hexabase-<fn>`, port 80 as a Knative Service answers), scaled by an HPA
 * between the route table's bounds. Events reach the workers through the relay, which delivers the trigger table
 * itself (HEXABASE_FUNCTION_URL) and sends the reconcile tick a PingSource would.
 */
export const selectorOf = (route: Pick<FunctionRoute, 'name'>) => ({
  'app.kubernetes.io/part-of': 'hexabase',
  'app.kubernetes.io/component': route.name,
});

/** Where a worker function answers inside the cluster: the relay's HEXABASE_FUNCTION_URL template. */
export const functionUrlTemplate = (opts: Pick<DeployOptions, 'namespace'>) =>
  `http://hexabase-{function}.${opts.namespace}.svc.cluster.local`;

// Node writes nothing but what HEXABASE_DATA_DIR names (mail without SMTP); the root filesystem stays read-only.
const SCRATCH = { name: 'scratch', mountPath: '/tmp' };

export function deployment(route: FunctionRoute, opts: DeployOptions, extraEnv: Record<string, string> = {}) {
  const env = { METRICS_PORT: String(opts.metricsPort), HEXABASE_DATA_DIR: '/tmp/hexabase', ...extraEnv };
  const container = functionContainer(route, opts, env);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: functionMetadata(route, opts),
    spec: {
      // Nothing wakes a function scaled to zero without Knative's activator: at least one replica.
      replicas: Math.max(1, route.scale?.min ?? 1),
      revisionHistoryLimit: 3,
      selector: { matchLabels: selectorOf(route) },
      // One new pod before an old one goes: a single-replica function keeps serving through a rollout.
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...LABELS, ...selectorOf(route) },
          annotations: scrapeAnnotations(opts),
        },
        spec: {
          ...(HOST_ACCOUNTS[route.name] ? { serviceAccountName: HOST_ACCOUNTS[route.name] } : {}),
          // Only the functions that call the host cluster get a token, and they get it from their own account.
          automountServiceAccountToken: Boolean(HOST_ACCOUNTS[route.name]),
          securityContext: {
            runAsNonRoot: true,
            runAsUser: 1000,
            runAsGroup: 1000,
            seccompProfile: { type: 'RuntimeDefault' },
          },
          terminationGracePeriodSeconds: 30,
          containers: [
            {
              ...container,
              ports: [
                { containerPort: 8080, name: 'http' },
                { containerPort: opts.metricsPort, name: 'metrics' },
              ],
              readinessProbe: { httpGet: { path: '/readyz', port: 'http' }, periodSeconds: 5 },
              livenessProbe: { httpGet: { path: '/healthz', port: 'http' }, periodSeconds: 10 },
              volumeMounts: [SCRATCH],
            },
          ],
          volumes: [{ name: SCRATCH.name, emptyDir: { sizeLimit: '64Mi' } }],
        },
      },
    },
  };
}

export function clusterService(route: FunctionRoute, opts: DeployOptions) {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: functionMetadata(route, opts),
    spec: {
      type: 'ClusterIP',
      selector: selectorOf(route),
      ports: [{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }],
    },
  };
}

/** Scales on CPU between the route table's bounds, as Knative would on concurrency. */
export function autoscaler(route: FunctionRoute, opts: DeployOptions, targetCpuPercent = 75) {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: functionMetadata(route, opts),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `hexabase-${route.name}` },
      minReplicas: Math.max(1, route.scale?.min ?? 1),
      maxReplicas: route.scale?.max ?? 10,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: targetCpuPercent } },
        },
      ],
    },
  };
}

/**
 * At most one replica of a function is evicted at a time (drains, upgrades of nodes). `maxUnavailable` rather
 * than `minAvailable`, so a single-replica function can still be drained instead of blocking the node forever.
 */
export function disruptionBudget(
  route: FunctionRoute,
  opts: DeployOptions,
  selector: Record<string, string> = selectorOf(route),
) {
  return {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: functionMetadata(route, opts),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  };
}
