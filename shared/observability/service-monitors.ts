import type { FunctionRoute } from '../routes/table';

/** The port name Prometheus scrapes: METRICS_PORT of every function (9464 by default). */
export const METRICS_PORT_NAME = 'metrics';
const SCRAPED = 'hexabase.ai/metrics';
const LABELS = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };

/**
 * Knative admits one container port (the routed one), so a pod cannot name its metrics port and a PodMonitor has
 * nothing to select by name. Instead each function gets a headless Service of its own that selects its pods by
 * Knative's `serving.knative.dev/service` label and names METRICS_PORT `metrics`; Knative's own Services point at
 * the queue-proxy and never reach that port.
 */
export function metricsService(
  route: Pick<FunctionRoute, 'name'>,
  opts: { namespace: string; metricsPort: number },
  selector: Record<string, string> = { 'serving.knative.dev/service': `hexabase-${route.name}` },
) {
  return {
    apiVersion: 'v1' as const,
    kind: 'Service' as const,
    metadata: {
      name: `hexabase-${route.name}-metrics`,
      namespace: opts.namespace,
      labels: { ...LABELS, 'app.kubernetes.io/component': route.name, [SCRAPED]: 'true' },
    },
    spec: {
      clusterIP: 'None',
      selector,
      ports: [
        {
          name: METRICS_PORT_NAME,
          port: opts.metricsPort,
          targetPort: opts.metricsPort,
          protocol: 'TCP' as const,
        },
      ],
    },
  };
}

/**
 * One ServiceMonitor for every function's metrics Service. `job` is the function's name (the Service's component
 * label); `service` and `pod` come with every target, so per-replica gauges can be told apart and deduplicated.
 */
export function serviceMonitor(opts: { namespace: string; interval?: string }) {
  return {
    apiVersion: 'monitoring.coreos.com/v1' as const,
    kind: 'ServiceMonitor' as const,
    metadata: { name: 'hexabase-functions', namespace: opts.namespace, labels: LABELS },
    spec: {
      jobLabel: 'app.kubernetes.io/component',
      namespaceSelector: { matchNames: [opts.namespace] },
      selector: { matchLabels: { ...LABELS, [SCRAPED]: 'true' } },
      endpoints: [
        {
          port: METRICS_PORT_NAME,
          path: '/metrics',
          scheme: 'http' as const,
          interval: opts.interval ?? '30s',
          scrapeTimeout: '10s',
        },
      ],
    },
  };
}
