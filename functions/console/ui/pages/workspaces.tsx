import { useEffect, useState } from 'preact/hooks';
import { api, type Problem, problemOf, type Workspace } from '../api/client';
import { billingPath } from '../components/billing';
import { ErrorMessage, formatDate, Loading } from '../components/feedback';
import { Page } from '../components/page';
import { useSignedIn } from '../session';

/** Statuses that change only when someone acts (or pays): not polled quickly. */
export const STEADY = new Set(['RUNNING', 'ERROR', 'SUSPENDED']);

export function StatusBadge({ status }: { status: string }) {
  return <span class={`status status-${status.toLowerCase().replace(/_/g, '-')}`}>{status}</span>;
}

const sentence = (s: string) => (/[.!?]$/.test(s) ? s : `${s}.`);

/**
 * A workspace suspended for non-payment: why (its statusMessage) and the way to settle it, the organization's
 * Billing screen (admins pay there; members are told to ask one).
 */
export function Suspended({ ws }: { ws: Workspace }) {
  if (ws.status !== 'SUSPENDED') return null;
  return (
    <span class="suspended">
      {ws.statusMessage && <span class="muted"> {sentence(ws.statusMessage)}</span>}{' '}
      <a href={billingPath(ws.organizationId)}>Go to Billing</a>
    </span>
  );
}

/** The organization's workspaces (all of them for admins, their own for members), refreshed while any changes. */
export function Workspaces() {
  const { org } = useSignedIn();
  const [first, setFirst] = useState<Workspace[] | undefined>(undefined);
  const [extra, setExtra] = useState<Workspace[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const orgId = org?.id;

  useEffect(() => {
    if (!orgId) return;
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    setFirst(undefined);
    setExtra([]);
    setNext(null);
    const load = async () => {
      const { data, error, response } = await api
        .GET('/api/v1/organizations/{orgId}/workspaces', { params: { path: { orgId } } })
        .catch(() => ({ data: undefined, error: undefined, response: undefined }));
      if (stopped) return;
      if (data) {
        // The first page is polled; later pages the person loaded stay as they were.
        setFirst(data.items);
        setNext((n) => n ?? data.nextCursor);
        setProblem(undefined);
      } else setProblem(problemOf(error, response));
      // Live status: every 3 s while a workspace is on its way somewhere, every 15 s otherwise.
      const busy = data?.items.some((w) => !STEADY.has(w.status));
      timer = setTimeout(load, busy ? 3000 : 15000);
    };
    void load();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [orgId]);

  const more = async () => {
    if (!orgId || !next) return;
    const { data, error, response } = await api.GET('/api/v1/organizations/{orgId}/workspaces', {
      params: { path: { orgId }, query: { cursor: next } },
    });
    if (data) {
      setExtra((old) => [...old, ...data.items]);
      setNext(data.nextCursor);
    } else setProblem(problemOf(error, response));
  };

  const items = first && [...first, ...extra.filter((w) => !first.some((f) => f.id === w.id))];
  return (
    <Page title="Workspaces">
      {org?.role === 'admin' && (
        <p>
          <a class="button" href="/workspaces/new">
            Create workspace
          </a>
        </p>
      )}
      <ErrorMessage problem={problem} />
      {!org ? (
        <p>You belong to no organization.</p>
      ) : items === undefined ? (
        !problem && <Loading what="workspaces" />
      ) : items.length === 0 ? (
        <p class="empty">
          No workspaces in {org.name} yet.
          {org.role === 'admin' ? ' Create one to get a Kubernetes cluster of your own.' : ''}
        </p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Workspaces of {org.name}</caption>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Status</th>
                <th scope="col">Plan</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {items.map((w) => (
                <tr key={w.id}>
                  <th scope="row">
                    <a href={`/workspaces/${w.id}`}>{w.name}</a>
                  </th>
                  <td>
                    <StatusBadge status={w.status} />
                    <Suspended ws={w} />
                  </td>
                  <td>{w.planId}</td>
                  <td>{formatDate(w.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && items && (
        <button type="button" class="secondary" onClick={more}>
          Load more workspaces
        </button>
      )}
    </Page>
  );
}
