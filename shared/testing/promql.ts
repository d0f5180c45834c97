import { parser } from '@prometheus-io/lezer-promql';
import type { Registry } from 'prom-client';

/**
 * PromQL as Prometheus's own grammar reads it (@prometheus-io/lezer-promql, the parser of Prometheus's web UI):
 * the grammar's error nodes, and the metric names the expression selects.
 */
export function readPromQL(expr: string): { errors: string[]; metrics: string[] } {
  const errors: string[] = [];
  const metrics: string[] = [];
  const cursor = parser.parse(expr).cursor();
  do {
    if (cursor.type.isError)
      errors.push(`cannot parse at ${cursor.from}: …${expr.slice(cursor.from, cursor.from + 30)}`);
    // A selector's metric name is the Identifier right under it (`foo{…}`); `{__name__=…}` names none.
    if (cursor.name === 'Identifier' && cursor.node.parent?.name === 'VectorSelector')
      metrics.push(expr.slice(cursor.from, cursor.to));
  } while (cursor.next());
  return { errors, metrics };
}

/** What Grafana sends Prometheus: its variables substituted (ranges by a range, the others inside strings). */
export function grafanaToPromQL(expr: string): string {
  return expr.replaceAll(/\$__(rate_interval|interval|range)\b/g, '5m');
}

/**
 * The series names a registry's metrics export, as queries must spell them: a histogram only as `_bucket`,
 * `_sum` and `_count` (the bare name holds no samples), a summary also bare (its quantiles).
 */
export function seriesNames(registry: Registry): Set<string> {
  const names = new Set<string>();
  for (const m of registry.getMetricsAsArray() as unknown as { name: string; type: string }[]) {
    if (m.type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(m.name + s);
    else if (m.type === 'summary') for (const s of ['', '_sum', '_count']) names.add(m.name + s);
    else names.add(m.name);
  }
  return names;
}

/** Problems with one expression: grammar errors, and metric names in neither `known` nor `standard`. */
export function checkPromQL(expr: string, known: Set<string>, standard: readonly string[] = []): string[] {
  const { errors, metrics } = readPromQL(expr);
  const unknown = metrics.filter((m) => !known.has(m) && !standard.includes(m));
  return [...errors, ...unknown.map((m) => `no process exports ${m}`)];
}
