import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { stringify } from 'yaml';
import { broker, brokerUrl, channelConfig, reconcileTick, triggers } from '../shared/deploy/eventing';
import { vclusterChartRepository } from '../shared/deploy/flux';
import { type DeployOptions, hostMiddlewares, ingress, knativeService } from '../shared/deploy/knative';
import { hostRbac } from '../shared/deploy/rbac';
import { parseEnv } from '../shared/env';
import { triggerTable } from '../shared/events/triggers';
import { dashboardConfigMap } from '../shared/observability/dashboards';
import { prometheusRule } from '../shared/observability/prometheus-rules';
import { metricsService, serviceMonitor } from '../shared/observability/service-monitors';
import { routeTable } from '../shared/routes/table';
import { writeChart } from './gen-chart';

export const DEFAULTS: DeployOptions = {
  namespace: 'hexabase',
  image: 'ghcr.io/hexabase/hexabase:0.1.0',
  envSecret: 'hexabase-env',
  host: 'hexabase.example.com',
  ingressController: 'traefik',
  metricsPort: parseEnv({}).METRICS_PORT,
};

export function renderFunctions(opts: DeployOptions = DEFAULTS): string {
  const header = '# Generated from shared/routes/table.ts by `npm run manifests`. Do not edit by hand.\n';
  const services = routeTable.map((r) =>
    knativeService(r, opts, r.brokerSink ? { K_SINK: brokerUrl(opts) } : {}),
  );
  const docs = [...services, ...ingress(routeTable, opts), ...hostMiddlewares(routeTable, opts)];
  return header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

export function renderEventing(
  opts: DeployOptions = DEFAULTS,
  natsUrl = 'nats://nats.hexabase.svc.cluster.local:4222',
): string {
  const header = '# Generated from shared/events/triggers.ts by `npm run manifests`. Do not edit by hand.\n';
  const docs = [
    ...channelConfig(natsUrl),
    broker(opts),
    ...triggers(triggerTable, opts),
    reconcileTick(opts),
  ];
  return header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

/** The Grafana dashboards, as committed: charts/hexabase-platform/dashboards/<name>.json. */
export const DASHBOARDS_DIR = join(import.meta.dirname, '..', 'charts', 'hexabase-platform', 'dashboards');

export function dashboards(): { name: string; json: string }[] {
  return readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => ({ name: basename(f, '.json'), json: readFileSync(join(DASHBOARDS_DIR, f), 'utf8') }));
}

/** Where the PrometheusRule's runbook links point: the alert sections of docs/observability.md. */
export const RUNBOOK_URL = 'https://github.com/hexabase/hexabase/blob/main/docs/observability.md';

export function renderMonitoring(opts: DeployOptions = DEFAULTS): string {
  const header =
    '# Generated from shared/observability/ and charts/hexabase-platform/dashboards/ by `npm run manifests`. Do not edit by hand.\n';
  const docs = [
    ...routeTable.map((r) => metricsService(r, opts)),
    serviceMonitor(opts),
    prometheusRule({ namespace: opts.namespace, runbookUrl: RUNBOOK_URL }),
    ...dashboards().map((d) => dashboardConfigMap(d.name, d.json, opts)),
  ];
  return header + docs.map((d) => stringify(d, { lineWidth: 0 })).join('---\n');
}

export function renderFlux(): string {
  const header = '# Generated from shared/deploy/flux.ts by `npm run manifests`. Do not edit by hand.\n';
  return header + stringify(vclusterChartRepository(), { lineWidth: 0 });
}

export function renderRbac(opts: DeployOptions = DEFAULTS): string {
  const header = '# Generated from shared/deploy/rbac.ts by `npm run manifests`. Do not edit by hand.\n';
  return (
    header +
    hostRbac({ namespace: opts.namespace })
      .map((d) => stringify(d, { lineWidth: 0 }))
      .join('---\n')
  );
}

if (import.meta.url === `file://${process.argv[1]}`) {
  // The platform's Ingresses follow the cluster's controller, like the workspaces' API servers do.
  const opts = { ...DEFAULTS, ingressController: parseEnv(process.env).HEXABASE_VCLUSTER_INGRESS };
  for (const [name, render] of [
    ['functions.yaml', renderFunctions],
    ['eventing.yaml', renderEventing],
    ['monitoring.yaml', renderMonitoring],
    ['flux.yaml', renderFlux],
    ['rbac.yaml', renderRbac],
  ] as const) {
    const file = join(import.meta.dirname, '..', 'knative', name);
    writeFileSync(file, render(opts));
    console.log(`wrote ${file}`);
  }
  writeChart();
  console.log('wrote charts/hexabase-platform/templates/generated-*.yaml and values.schema.json');
}
