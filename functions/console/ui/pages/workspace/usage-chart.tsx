import { useState } from 'preact/hooks';
import type { UsageSeries } from '../../api/usage';
import { formatAmount, parseQuantity, resourceLabel, sortResources } from '../../components/quantity';

/** The resources worth a chart: what deployments are refused on first. The meters show every resource. */
const CHARTED = new Set([
  'requests.cpu',
  'cpu',
  'requests.memory',
  'memory',
  'limits.cpu',
  'limits.memory',
  'pods',
]);

/** The drawing's own units, stretched to the figure's width (strokes keep their width: styles.css). */
const W = 300;
const H = 100;

type Series = UsageSeries['series'][number];
type Point = [t: number, v: number];

/**
 * Runs of consecutive points: a step the API has no point for was not measured (a stale period), and shows as a
 * gap, never as a line through it.
 */
function runs(points: Point[], step: number): Point[][] {
  const out: Point[][] = [];
  for (const p of points) {
    const run = out.at(-1);
    const prev = run?.at(-1);
    if (run && prev && p[0] - prev[0] <= step * 1.5) run.push(p);
    else out.push([p]);
  }
  return out;
}

const fixed = (n: number) => n.toFixed(1);
/** A point is the mean of its step, which the legend says: it differs from the meters' latest sample. */
const per = (step: number) => (step % 3600 === 0 ? `${step / 3600} h` : `${Math.round(step / 60)} min`);
const time = (t: number) =>
  new Date(t * 1000).toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });

function Chart({ s, from, to, step }: { s: Series; from: number; to: number; step: number }) {
  const label = resourceLabel(s.resource);
  const id = `chart-${s.resource.replace(/[^A-Za-z0-9-]/g, '-')}`;
  const hard = s.hard === null ? undefined : parseQuantity(s.hard);
  const points = s.points.map(([t, q]): Point => [t, parseQuantity(q)]).filter(([, v]) => Number.isFinite(v));
  const peak = Math.max(0, ...points.map(([, v]) => v));
  const latest = points.at(-1)?.[1];
  const top = Math.max(peak, hard ?? 0) * 1.1 || 1;
  const x = (t: number) => fixed(((t - from) / Math.max(to - from, 1)) * W);
  const y = (v: number) => fixed(H - (v / top) * H);
  const amount = (v: number | undefined) => (v === undefined ? 'none' : formatAmount(s.resource, v));
  const summary =
    points.length === 0
      ? 'Nothing measured in the last 24 hours.'
      : `Used (${per(step)} averages): latest ${amount(latest)}, peak ${amount(peak)}; quota ${amount(hard)}. Measured in ${points.length} of ${Math.round((to - from) / step)} steps.`;
  return (
    <figure class="chart">
      <figcaption>{label}</figcaption>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        preserveAspectRatio="none"
        role="img"
        aria-labelledby={`${id}-t ${id}-d`}
      >
        <title id={`${id}-t`}>{label} over the last 24 hours</title>
        <desc id={`${id}-d`}>{summary}</desc>
        <line class="chart-axis" x1="0" y1={H} x2={W} y2={H} />
        {hard !== undefined && <line class="chart-hard" x1="0" y1={y(hard)} x2={W} y2={y(hard)} />}
        {runs(points, step).map((run) => {
          // A lone point is drawn as a short dash: its step, or enough to be seen on a day's width.
          const half = Math.max(step / 2, (to - from) / 200);
          const [t, v] = run[0]!;
          const drawn: Point[] =
            run.length > 1
              ? run
              : [
                  [Math.max(from, t - half), v],
                  [Math.min(to, t + half), v],
                ];
          return (
            <polyline
              key={run[0]![0]}
              class="chart-used"
              points={drawn.map(([pt, pv]) => `${x(pt)},${y(pv)}`).join(' ')}
            />
          );
        })}
      </svg>
      <div class="chart-x muted" aria-hidden="true">
        <span>24 h ago</span>
        <span>12 h ago</span>
        <span>now</span>
      </div>
      <p class="chart-legend">
        <span class="legend">
          <span class="key key-used" aria-hidden="true" />
          Used ({per(step)} average): {amount(latest)}
        </span>
        <span class="legend">
          <span class="key key-hard" aria-hidden="true" />
          Quota: {amount(hard)}
        </span>
      </p>
    </figure>
  );
}

/** The charts' numbers as a table, built only when opened (a day is 288 rows). */
function DataTable({ series }: { series: Series[] }) {
  const [open, setOpen] = useState(false);
  const times = [...new Set(series.flatMap((s) => s.points.map(([t]) => t)))].sort((a, b) => a - b);
  const byResource = series.map((s) => new Map(s.points.map(([t, q]) => [t, parseQuantity(q)])));
  return (
    <details onToggle={(e) => setOpen((e.currentTarget as HTMLDetailsElement).open)}>
      <summary>The last 24 hours as a table</summary>
      {open && (
        <div class="table-wrap">
          <table aria-label="Usage over the last 24 hours">
            <thead>
              <tr>
                <th scope="col">Time</th>
                {series.map((s) => (
                  <th key={s.resource} scope="col">
                    {resourceLabel(s.resource)}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              {times.map((t) => (
                <tr key={t}>
                  <th scope="row">{time(t)}</th>
                  {series.map((s, i) => {
                    const v = byResource[i]!.get(t);
                    return <td key={s.resource}>{v === undefined ? '—' : formatAmount(s.resource, v)}</td>;
                  })}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </details>
  );
}

/** Used against quota over the last day, one small chart per main resource, with the table beside it. */
export function UsageHistory({ series }: { series: UsageSeries }) {
  const from = Date.parse(series.from) / 1000;
  const to = Date.parse(series.to) / 1000;
  const byName = new Map(series.series.map((s) => [s.resource, s]));
  const charted = sortResources([...byName.keys()].filter((r) => CHARTED.has(r))).map((r) => byName.get(r)!);
  if (charted.length === 0) return <p class="empty">Nothing measured in the last 24 hours.</p>;
  return (
    <>
      <div class="charts">
        {charted.map((s) => (
          <Chart key={s.resource} s={s} from={from} to={to} step={series.step} />
        ))}
      </div>
      <DataTable series={charted} />
    </>
  );
}
