/** The label Grafana's dashboard sidecar (kube-prometheus-stack, the Grafana chart) watches ConfigMaps for. */
export const DASHBOARD_LABEL = { grafana_dashboard: '1' } as const;

const LABELS = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };

/**
 * One Grafana dashboard (charts/hexabase-platform/dashboards/<name>.json, the one source) as a ConfigMap the sidecar
 * imports. The JSON is carried as it is in the repository, so an export from Grafana diffs cleanly against it.
 */
export function dashboardConfigMap(name: string, json: string, opts: { namespace: string }) {
  return {
    apiVersion: 'v1' as const,
    kind: 'ConfigMap' as const,
    metadata: {
      name: `hexabase-dashboard-${name}`,
      namespace: opts.namespace,
      labels: { ...LABELS, ...DASHBOARD_LABEL },
    },
    data: { [`hexabase-${name}.json`]: json },
  };
}
