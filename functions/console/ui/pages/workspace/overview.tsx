import type { Workspace } from '../../api/client';
import { formatDate } from '../../components/feedback';
import { StatusBadge, Suspended } from '../workspaces';

/** Status, identity and endpoint of the workspace. */
export function Overview({ ws }: { ws: Workspace }) {
  return (
    <section aria-labelledby="overview" class="card">
      <h2 id="overview">Overview</h2>
      <dl class="facts">
        <dt>Status</dt>
        <dd>
          <StatusBadge status={ws.status} />
          {ws.status === 'SUSPENDED' ? (
            <Suspended ws={ws} />
          ) : ws.statusMessage ? (
            <span class="muted"> {ws.statusMessage}</span>
          ) : null}
        </dd>
        <dt>ID</dt>
        <dd>
          <code>{ws.id}</code>
        </dd>
        <dt>Plan</dt>
        <dd>{ws.planId}</dd>
        <dt>Dedicated nodes</dt>
        <dd>{ws.dedicatedNodeConfig?.nodeCount ?? 'none'}</dd>
        <dt>Endpoint</dt>
        <dd>{ws.endpoint ? <code>{ws.endpoint}</code> : <span class="muted">not yet</span>}</dd>
        <dt>Created</dt>
        <dd>{formatDate(ws.createdAt)}</dd>
      </dl>
    </section>
  );
}

type Condition = {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};

export function Conditions({ conditions }: { conditions: unknown[] }) {
  const rows = conditions.filter((c): c is Condition => typeof c === 'object' && c !== null);
  return (
    <section aria-labelledby="conditions" class="card">
      <h2 id="conditions">Conditions</h2>
      {rows.length === 0 ? (
        <p class="empty">No conditions reported yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Reason</th>
                <th scope="col">Message</th>
                <th scope="col">Since</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.type}>
                  <th scope="row">{c.type ?? '—'}</th>
                  <td>{c.status ?? '—'}</td>
                  <td>{c.reason ?? '—'}</td>
                  <td>{c.message ?? '—'}</td>
                  <td>{formatDate(c.lastTransitionTime)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
