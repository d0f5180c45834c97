import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { Service } from 'kubernetes-models/v1/Service';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { STANDARD_SERIES, useProcesses } from '../../functions/metrics-testing';
import { DEFAULTS, RUNBOOK_URL, renderMonitoring } from '../../scripts/gen-manifests';
import { knativeService } from '../deploy/knative';
import { routeTable } from '../routes/table';
import { checkPromQL } from '../testing/promql';
import { alerts, prometheusRule, THRESHOLDS } from './prometheus-rules';
import { PROVISIONING_BUCKETS } from './provisioning';
import { METRICS_PORT_NAME, metricsService, serviceMonitor } from './service-monitors';

const docs = readFileSync(join(import.meta.dirname, '../../docs/observability.md'), 'utf8');
const rule = () => prometheusRule({ namespace: 'hexabase', runbookUrl: RUNBOOK_URL });

describe('the PrometheusRule', () => {
  it('is one the operator schema accepts, each alert with a for, a severity, a summary, a description and a runbook link', () => {
    const model = new PrometheusRule(rule());
    expect(() => model.validate()).not.toThrow();
    const rules = model.spec.groups![0]!.rules!;
    expect(rules.map((r) => r.alert)).toEqual(alerts().map((a) => a.alert));
    for (const r of rules) {
      expect(r.for, r.alert).toMatch(/^\d+[smh]$/);
      expect(['critical', 'warning']).toContain(r.labels?.severity);
      expect(r.annotations?.summary?.length, r.alert).toBeGreaterThan(10);
      expect(r.annotations?.description?.length, r.alert).toBeGreaterThan(10);
      expect(r.annotations?.runbook_url).toBe(`${RUNBOOK_URL}#${r.alert!.toLowerCase()}`);
    }
  });

  it('is refused by the schema when malformed (the validation is live)', () => {
    const bad = rule() as unknown as { spec: { groups: { rules: unknown }[] } };
    bad.spec.groups[0]!.rules = 'none';
    expect(() => new PrometheusRule(bad as never).validate()).toThrow();
  });

  it('alerts on everything the platform promised: outbox lag, dead letters, ERROR, slow provisioning, quota, stale usage, 5xx', () => {
    const exprs = alerts().map((a) => a.expr);
    for (const metric of [
      'hexabase_outbox_lag_seconds',
      'hexabase_events_dead_lettered_total',
      'hexabase_dead_letters_open',
      'hexabase_workspaces{status="ERROR"}',
      'hexabase_workspace_provisioning_duration_seconds_bucket',
      'hexabase_workspace_provisioning_oldest_seconds',
      'hexabase_workspace_quota_used',
      'hexabase_workspace_usage_stale',
      'http_requests_total{status=~"5.."',
    ])
      expect(
        exprs.some((e) => e.includes(metric)),
        metric,
      ).toBe(true);
  });

  it('has a runbook section in docs/observability.md for every alert', () => {
    for (const { alert } of alerts()) expect(docs, alert).toMatch(new RegExp(`^### ${alert}$`, 'm'));
  });

  it('compares the provisioning quantile with a bucket bound, so the threshold is not an interpolation', () => {
    expect(PROVISIONING_BUCKETS).toContain(THRESHOLDS.provisioningSeconds);
  });
});

describe('the scrape configuration', () => {
  it('gives every function a metrics Service naming METRICS_PORT `metrics` and selecting its Knative pods', () => {
    for (const route of routeTable) {
      const svc = metricsService(route, DEFAULTS);
      expect(() => new Service(svc).validate()).not.toThrow();
      expect(svc.spec.ports).toEqual([
        { name: METRICS_PORT_NAME, port: 9464, targetPort: 9464, protocol: 'TCP' },
      ]);
      // Knative labels a revision's pods with the name of the Knative Service that owns them.
      const ksvc = knativeService(route, DEFAULTS);
      expect(svc.spec.selector).toEqual({ 'serving.knative.dev/service': ksvc.metadata.name });
      expect(ksvc.spec.template.metadata.annotations['prometheus.io/port']).toBe(
        String(svc.spec.ports[0]!.port),
      );
    }
  });

  it('has one ServiceMonitor the operator schema accepts, selecting those Services by their labels and port name', () => {
    const monitor = new ServiceMonitor(serviceMonitor(DEFAULTS));
    expect(() => monitor.validate()).not.toThrow();
    expect(monitor.spec.endpoints.map((e) => e.port)).toEqual([METRICS_PORT_NAME]);
    for (const route of routeTable) {
      const { labels, namespace } = metricsService(route, DEFAULTS).metadata;
      expect(labels).toMatchObject(monitor.spec.selector.matchLabels!);
      expect(monitor.spec.namespaceSelector?.matchNames).toContain(namespace);
      expect((labels as Record<string, string>)[monitor.spec.jobLabel!]).toBe(route.name);
    }
  });

  it('is committed in its generated form, with the rule and dashboards (run `npm run manifests`)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../knative/monitoring.yaml'), 'utf8');
    expect(committed).toBe(renderMonitoring());
    const kinds = parseAllDocuments(committed).map((d) => d.toJS().kind);
    expect(kinds.filter((k) => k === 'Service')).toHaveLength(routeTable.length);
    expect(kinds).toContain('ServiceMonitor');
    expect(kinds).toContain('PrometheusRule');
  });
});

describe('what the processes register', () => {
  const processes = useProcesses();

  it('is all every alert expression reads, each of which parses with PromQL grammar (`up` aside, which Prometheus adds)', () => {
    const names = processes().names();
    for (const { alert, expr } of alerts())
      expect(checkPromQL(expr, names, STANDARD_SERIES), alert).toEqual([]);
  });

  it('is catalogued in docs/observability.md and shared/observability/README.md, metric by metric', () => {
    // prom-client's process metrics are catalogued as one row (`process_*`, `nodejs_*`).
    const ours = [...processes().metrics()].filter((m) => !/^(process|nodejs)_/.test(m)).sort();
    const readme = readFileSync(join(import.meta.dirname, 'README.md'), 'utf8');
    const section = (text: string, heading: string) => text.split(heading)[1]!.split('\n## ')[0]!;
    for (const text of [section(docs, '## Metrics\n'), section(readme, '## The catalogue\n')]) {
      const rows = [...text.matchAll(/^\| `([a-z_]+)` /gm)].map((m) => m[1]).sort();
      expect(rows).toEqual(ours);
    }
  });
});
