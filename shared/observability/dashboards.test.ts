import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { STANDARD_SERIES, useProcesses } from '../../functions/metrics-testing';
import { dashboards, renderMonitoring } from '../../scripts/gen-manifests';
import { checkPromQL, grafanaToPromQL } from '../testing/promql';
import { DASHBOARD_LABEL } from './dashboards';

type Target = { refId: string; expr: string; datasource: { type: string; uid: string } };
type Panel = {
  id: number;
  type: string;
  title: string;
  datasource: { type: string; uid: string };
  gridPos: { h: number; w: number; x: number; y: number };
  targets: Target[];
};
type Variable = { name: string; type: string; query: unknown; definition?: string };
type Dashboard = {
  uid: string;
  title: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: Variable[] };
};

const all = dashboards().map((d) => ({ ...d, dashboard: JSON.parse(d.json) as Dashboard }));
// Grafana's variable syntax, not a template literal: the data source is chosen on import.
// biome-ignore lint/suspicious/noTemplateCurlyInString: Grafana's variable syntax
const PROMETHEUS = { type: 'prometheus', uid: '${datasource}' };

describe('the Grafana dashboards', () => {
  it('are the four promised: platform overview, events pipeline, provisioning and tenant usage', () => {
    expect(all.map((d) => d.name)).toEqual([
      'events-pipeline',
      'platform-overview',
      'provisioning',
      'tenant-usage',
    ]);
    expect(new Set(all.map((d) => d.dashboard.uid)).size).toBe(all.length);
  });

  it.each(all)(
    '$name is dashboard JSON Grafana imports: schema 39, a uid, the datasource variable, stat and timeseries panels on it',
    ({ dashboard }) => {
      expect(dashboard.schemaVersion).toBe(39);
      expect(dashboard.uid).toMatch(/^[a-z0-9-]{1,40}$/);
      expect(dashboard.title).toMatch(/^Hexabase \/ /);
      expect(dashboard.templating.list[0]).toMatchObject({
        name: 'datasource',
        type: 'datasource',
        query: 'prometheus',
      });
      expect(dashboard.panels.length).toBeGreaterThan(3);
      expect(new Set(dashboard.panels.map((p) => p.id)).size).toBe(dashboard.panels.length);
      for (const panel of dashboard.panels) {
        expect(['stat', 'timeseries'], panel.title).toContain(panel.type);
        expect(panel.datasource).toEqual(PROMETHEUS);
        expect(panel.gridPos.x + panel.gridPos.w, panel.title).toBeLessThanOrEqual(24);
        expect(panel.targets.length, panel.title).toBeGreaterThan(0);
        for (const t of panel.targets) expect(t.datasource).toEqual(PROMETHEUS);
      }
    },
  );

  it('let tenant usage pick workspaces by the id label of the usage gauges', () => {
    const usage = all.find((d) => d.name === 'tenant-usage')!.dashboard;
    const workspace = usage.templating.list.find((v) => v.name === 'workspace');
    expect(workspace).toMatchObject({
      type: 'query',
      definition: 'label_values(hexabase_workspace_quota_hard, workspace_id)',
    });
    for (const p of usage.panels)
      for (const t of p.targets) expect(t.expr).toContain('workspace_id=~"$workspace"');
  });

  it('are shipped as ConfigMaps carrying the sidecar label and the JSON as committed', () => {
    const maps = parseAllDocuments(renderMonitoring())
      .map((d) => d.toJS())
      .filter((d) => d.kind === 'ConfigMap');
    expect(maps).toHaveLength(all.length);
    for (const { name, json } of all) {
      const map = maps.find((m) => m.metadata.name === `hexabase-dashboard-${name}`);
      expect(map.metadata.labels).toMatchObject(DASHBOARD_LABEL);
      expect(map.data[`hexabase-${name}.json`]).toBe(json);
    }
  });
});

describe('dashboard queries', () => {
  const processes = useProcesses();

  it('parse with PromQL grammar and read only metrics some process exports (histograms by their series)', () => {
    const names = processes().names();
    for (const { name, dashboard } of all)
      for (const p of dashboard.panels)
        for (const t of p.targets)
          expect(checkPromQL(grafanaToPromQL(t.expr), names, STANDARD_SERIES), `${name}: ${p.title}`).toEqual(
            [],
          );
    for (const { dashboard } of all)
      for (const v of dashboard.templating.list.filter((x) => x.definition)) {
        const metric = /^label_values\((\w+), \w+\)$/.exec(v.definition!)?.[1];
        expect(metric && names.has(metric), v.definition).toBe(true);
      }
  });

  it('would be refused for a made-up metric, a histogram read by its bare name, or broken syntax', () => {
    const names = processes().names();
    expect(checkPromQL('sum(rate(hexabase_made_up_total[5m]))', names)).toEqual([
      'no process exports hexabase_made_up_total',
    ]);
    expect(checkPromQL('hexabase_reconcile_duration_seconds', names)).toEqual([
      'no process exports hexabase_reconcile_duration_seconds',
    ]);
    expect(checkPromQL('sum(rate(http_requests_total[5m]) by', names).length).toBeGreaterThan(0);
    expect(checkPromQL(grafanaToPromQL('sum(rate(http_requests_total[$__rate_interval]))'), names)).toEqual(
      [],
    );
  });
});
