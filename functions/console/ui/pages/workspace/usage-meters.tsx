import type { Usage } from '../../api/usage';
import {
  formatUsedOf,
  type Level,
  levelOf,
  parseQuantity,
  percentOf,
  resourceLabel,
  sortResources,
} from '../../components/quantity';

type Quota = Usage['quota'];

const LEVEL_TEXT: Record<Level, string> = { ok: '', near: 'Near the quota', over: 'Over the quota' };

/** One resource of a quota, read once for its meter, its table cell and its words. */
function reading(resource: string, q: { hard: string; used: string }) {
  const used = parseQuantity(q.used);
  const hard = parseQuantity(q.hard);
  const pct = percentOf(used, hard);
  return {
    used,
    hard,
    level: levelOf(used, hard),
    text: hard === 0 && used === 0 ? 'none allowed' : formatUsedOf(resource, used, hard),
    percent: pct === undefined ? '' : `${pct}%`,
  };
}

const idOf = (resource: string) => `usage-${resource.replace(/[^A-Za-z0-9-]/g, '-')}`;

/**
 * Used against hard for each resource of the quota, summed over the projects. Warnings are words as well as a
 * colour. `old` numbers (stale, or the stream down) are dimmed and say so to screen readers.
 */
export function Meters({ quota, old }: { quota: Quota; old: boolean }) {
  const resources = sortResources(Object.keys(quota));
  if (resources.length === 0) return <p class="empty">No quota to show: quotas come with projects.</p>;
  return (
    <ul class={old ? 'meters old' : 'meters'} aria-label="Usage against quota">
      {resources.map((resource) => {
        const r = reading(resource, quota[resource]!);
        const id = idOf(resource);
        return (
          <li key={resource} class={`meter level-${r.level}`}>
            <span id={id} class="meter-label">
              {resourceLabel(resource)}
              {old && <span class="visually-hidden"> (not current)</span>}
            </span>
            <meter
              aria-labelledby={id}
              min={0}
              max={r.hard > 0 ? r.hard : 1}
              value={Number.isFinite(r.used) ? Math.min(r.used, r.hard > 0 ? r.hard : 1) : 0}
              aria-valuetext={`${r.text}${r.percent ? ` (${r.percent})` : ''}`}
            />
            <span class="meter-text">
              {r.text}
              {r.percent && ' · '}
              {r.percent && <span class="meter-percent">{r.percent}</span>}
              {r.level !== 'ok' && ' · '}
              {r.level !== 'ok' && <strong class="meter-level">{LEVEL_TEXT[r.level]}</strong>}
            </span>
          </li>
        );
      })}
    </ul>
  );
}

/** The same numbers per project: a row per project, a column per resource. */
export function ProjectUsage({ wsId, usage, old }: { wsId: string; usage: Usage; old: boolean }) {
  if (usage.projects.length === 0) return <p class="empty">No projects yet.</p>;
  const resources = sortResources([...new Set(usage.projects.flatMap((p) => Object.keys(p.quota)))]);
  return (
    <div class="table-wrap">
      <table aria-labelledby="usage-projects" class={old ? 'old' : undefined}>
        <thead>
          <tr>
            <th scope="col">Project</th>
            {resources.map((r) => (
              <th key={r} scope="col">
                {resourceLabel(r)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {usage.projects.map((p) => (
            <tr key={p.projectId}>
              <th scope="row">
                <a href={`/workspaces/${wsId}/projects/${p.projectId}`}>{p.name}</a>
              </th>
              {resources.map((resource) => {
                const q = p.quota[resource];
                if (!q)
                  return (
                    <td key={resource} class="muted">
                      not sampled yet
                    </td>
                  );
                const r = reading(resource, q);
                return (
                  <td key={resource} class={`level-${r.level}`}>
                    {r.text}
                    {r.percent && ` (${r.percent})`}
                    {r.level !== 'ok' && <strong class="meter-level"> {LEVEL_TEXT[r.level]}</strong>}
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {old && <p class="muted">Numbers of the last sample, not current.</p>}
    </div>
  );
}
