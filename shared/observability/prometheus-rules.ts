/**
 * The platform's alerts as one PrometheusRule (monitoring.coreos.com/v1), rendered into knative/monitoring.yaml by
 * scripts/gen-manifests.ts. Every alert has a runbook under `### <alert>` in docs/observability.md (a test checks),
 * and every metric its expression reads is one the processes register (a test parses each with PromQL's grammar).
 * Gauges read from the database are exported alike by every replica, hence `max`, never `sum`.
 */
export type Thresholds = {
  outboxLagSeconds: number;
  /** A bound of PROVISIONING_BUCKETS (shared/observability/provisioning.ts), so the quantile is not interpolated. */
  provisioningSeconds: number;
  quotaRatio: number;
  http5xxRatio: number;
};

export const THRESHOLDS: Thresholds = {
  outboxLagSeconds: 120,
  provisioningSeconds: 600,
  quotaRatio: 0.9,
  http5xxRatio: 0.05,
};

export type MonitoringOptions = {
  namespace: string;
  /** docs/observability.md as operators read it; each alert links to its own section. */
  runbookUrl: string;
  thresholds?: Thresholds;
};

export type Alert = {
  alert: string;
  expr: string;
  for: string;
  severity: 'critical' | 'warning';
  summary: string;
  description: string;
};

const LABELS = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };

export function alerts(t: Thresholds = THRESHOLDS): Alert[] {
  const percent = (ratio: number) => `${Math.round(ratio * 100)} %`;
  return [
    {
      alert: 'HexabaseOutboxLagHigh',
      expr: `max(hexabase_outbox_lag_seconds) > ${t.outboxLagSeconds}`,
      for: '5m',
      severity: 'critical',
      summary: 'Events wait in the outbox: nothing provisions, bills or mails until the relay publishes them',
      description: `The oldest unpublished outbox event is {{ $value | humanizeDuration }} old (threshold ${t.outboxLagSeconds} s).`,
    },
    {
      alert: 'HexabaseEventsDeadLettered',
      // The counter sees the dispatchers' dead letters; the table also gets Knative's (functions/dead-letters).
      expr: 'sum(increase(hexabase_events_dead_lettered_total[15m])) > 0 or (max(hexabase_dead_letters_open) - max(hexabase_dead_letters_open offset 15m)) > 0',
      for: '1m',
      severity: 'warning',
      summary: 'Events were given up on and dead-lettered',
      description:
        '{{ $value }} events were dead-lettered in the last 15 minutes; `npm run dead-letters -- list` lists them.',
    },
    {
      alert: 'HexabaseWorkspaceError',
      expr: 'max(hexabase_workspaces{status="ERROR"}) > 0',
      for: '5m',
      severity: 'warning',
      summary: 'Workspaces are in ERROR: the provisioner stopped retrying them',
      description:
        '{{ $value }} workspaces are in ERROR; each has the reason in its status message and conditions.',
    },
    {
      alert: 'HexabaseProvisioningSlow',
      expr: `histogram_quantile(0.9, sum by (le) (rate(hexabase_workspace_provisioning_duration_seconds_bucket{outcome="running"}[1h]))) > ${t.provisioningSeconds}`,
      for: '15m',
      severity: 'warning',
      summary: 'Workspaces take long to provision',
      description: `90 % of the workspaces provisioned in the last hour took up to {{ $value | humanizeDuration }} (threshold ${t.provisioningSeconds} s).`,
    },
    {
      alert: 'HexabaseWorkspaceProvisioningStuck',
      expr: `max(hexabase_workspace_provisioning_oldest_seconds) > ${t.provisioningSeconds}`,
      for: '5m',
      severity: 'warning',
      summary: 'A workspace has been provisioning for long without a verdict',
      description: `The oldest workspace not yet RUNNING or ERROR was created {{ $value | humanizeDuration }} ago (threshold ${t.provisioningSeconds} s).`,
    },
    {
      alert: 'HexabaseWorkspaceQuotaHigh',
      expr: `max by (workspace_id, resource) (hexabase_workspace_quota_used / (hexabase_workspace_quota_hard > 0)) > ${t.quotaRatio}`,
      for: '15m',
      severity: 'warning',
      summary: 'A workspace uses most of a quota',
      description: `Workspace {{ $labels.workspace_id }} uses {{ $value | humanizePercentage }} of its {{ $labels.resource }} quota (threshold ${percent(t.quotaRatio)}).`,
    },
    {
      alert: 'HexabaseUsageStale',
      expr: 'max by (workspace_id) (hexabase_workspace_usage_stale) == 1',
      for: '10m',
      severity: 'warning',
      summary: "A serving workspace's usage is not being sampled",
      description: 'Workspace {{ $labels.workspace_id }} has had no fresh usage sample for 10 minutes.',
    },
    {
      alert: 'HexabaseHttp5xxRatioHigh',
      // Worker deliveries (/events) are left out: a 503 there asks for a retry (e.g. a vCluster still installing);
      // workers that keep failing show as dead letters.
      expr: `sum by (function) (rate(http_requests_total{status=~"5..",route!="/events"}[5m])) / sum by (function) (rate(http_requests_total{route!="/events"}[5m])) > ${t.http5xxRatio}`,
      for: '10m',
      severity: 'critical',
      summary: 'A function answers many requests with 5xx',
      description: `{{ $labels.function }} answers {{ $value | humanizePercentage }} of its requests with 5xx (threshold ${percent(t.http5xxRatio)}).`,
    },
    {
      alert: 'HexabaseMetricsTargetDown',
      expr: 'up{service=~"hexabase-.+-metrics"} == 0',
      for: '10m',
      severity: 'warning',
      summary: "A function's metrics cannot be scraped: its other alerts are blind",
      description:
        '{{ $labels.pod }} ({{ $labels.service }}) has not answered on its metrics port for 10 minutes.',
    },
  ];
}

export function prometheusRule(opts: MonitoringOptions) {
  return {
    apiVersion: 'monitoring.coreos.com/v1' as const,
    kind: 'PrometheusRule' as const,
    metadata: { name: 'hexabase', namespace: opts.namespace, labels: LABELS },
    spec: {
      groups: [
        {
          name: 'hexabase',
          rules: alerts(opts.thresholds).map((a) => ({
            alert: a.alert,
            expr: a.expr,
            for: a.for,
            labels: { severity: a.severity },
            annotations: {
              summary: a.summary,
              description: a.description,
              runbook_url: `${opts.runbookUrl}#${a.alert.toLowerCase()}`,
            },
          })),
        },
      ],
    },
  };
}
