import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, type Problem, problemOf, type Task, type Workspace } from '../api/client';
import { CopyCommand, describedBy, ErrorMessage, Field, formatDate, Loading } from '../components/feedback';
import { Page } from '../components/page';
import { price } from '../components/plans';
import { TaskProgress } from '../components/task-progress';
import { useSignedIn } from '../session';
import { usePlans } from './create-workspace';
import { NotFound } from './not-found';
import { STEADY, StatusBadge } from './workspaces';

type Found = { ws: Workspace; orgId: string };

/**
 * Finds the workspace in the organizations the caller belongs to, the chosen one first, so a link from another
 * organization works. Every 404 looks the same: `null`, the not-found screen, whether the id is malformed,
 * unknown, or someone else's.
 */
function useWorkspace(wsId: string) {
  const session = useSignedIn();
  const [found, setFound] = useState<Found | null | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const orgIds = [
    ...(session.org ? [session.org.id] : []),
    ...session.me.organizations.map((o) => o.id).filter((id) => id !== session.org?.id),
  ];
  const known = found?.orgId;

  useEffect(() => {
    let stopped = false;
    (async () => {
      for (const orgId of known ? [known] : orgIds) {
        const { data, error, response } = await api
          .GET('/api/v1/organizations/{orgId}/workspaces/{wsId}', { params: { path: { orgId, wsId } } })
          .catch(() => ({ data: undefined, error: undefined, response: undefined }));
        if (stopped) return;
        if (data) {
          setFound({ ws: data, orgId });
          setProblem(undefined);
          return;
        }
        if (response?.status !== 404) {
          setProblem(problemOf(error, response));
          return;
        }
      }
      setFound(null);
    })();
    return () => {
      stopped = true;
    };
  }, [wsId, tick]);

  // Live status while the workspace is on its way somewhere.
  const status = found?.ws.status;
  useEffect(() => {
    if (!status || STEADY.has(status)) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 3000);
    return () => clearTimeout(timer);
  }, [status, tick]);

  return { found, problem, reload: () => setTick((t) => t + 1) };
}

export function WorkspacePage() {
  const { params, query } = useRoute();
  const wsId = params.wsId ?? '';
  const session = useSignedIn();
  const { route } = useLocation();
  const { found, problem, reload } = useWorkspace(wsId);
  const [taskId, setTaskId] = useState<string | undefined>(query.task);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => setTaskId(query.task), [query.task]);

  if (found === null) return <NotFound />;
  if (!found)
    return (
      <Page title="Workspace">
        <ErrorMessage problem={problem} />
        {!problem && <Loading what="the workspace" />}
      </Page>
    );

  const { ws, orgId } = found;
  const isAdmin = session.me.organizations.find((o) => o.id === orgId)?.role === 'admin';
  const onDone = (t: Task) => {
    if (deleting && t.status === 'succeeded') route('/workspaces');
    else reload();
  };

  return (
    <Page title={ws.name}>
      <p>
        <a href="/workspaces">All workspaces</a>
      </p>
      <ErrorMessage problem={problem} />
      <section aria-labelledby="overview" class="card">
        <h2 id="overview">Overview</h2>
        <dl class="facts">
          <dt>Status</dt>
          <dd>
            <StatusBadge status={ws.status} />
            {ws.statusMessage ? <span class="muted"> {ws.statusMessage}</span> : null}
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
      {taskId && <TaskProgress taskId={taskId} onDone={onDone} />}
      <Conditions conditions={ws.conditions} />
      <Connect ws={ws} orgId={orgId} />
      {isAdmin && ws.status !== 'DELETING' && (
        <>
          <ChangePlan ws={ws} orgId={orgId} onStarted={setTaskId} />
          <DeleteWorkspace
            ws={ws}
            orgId={orgId}
            onStarted={(id) => {
              setDeleting(true);
              setTaskId(id);
            }}
          />
        </>
      )}
    </Page>
  );
}

type Condition = {
  type?: string;
  status?: string;
  reason?: string;
  message?: string;
  lastTransitionTime?: string;
};

function Conditions({ conditions }: { conditions: unknown[] }) {
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

type Mode = 'exec' | 'token';

/** Kubeconfig download in both modes, and the exact commands that do the same from a terminal. */
function Connect({ ws, orgId }: { ws: Workspace; orgId: string }) {
  const [mode, setMode] = useState<Mode>('exec');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const origin = location.origin;
  const file = `${ws.id}.kubeconfig`;
  const download = async () => {
    setBusy(true);
    setProblem(undefined);
    const { data, error, response } = await api
      .GET('/api/v1/organizations/{orgId}/workspaces/{wsId}/kubeconfig', {
        params: { path: { orgId, wsId: ws.id }, query: { mode } },
        parseAs: 'text',
      })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    setBusy(false);
    if (data === undefined) return setProblem(problemOf(error, response));
    const url = URL.createObjectURL(new Blob([data], { type: 'application/yaml' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = file;
    a.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  };
  const fetchCommand =
    mode === 'exec' ? `hxb kubeconfig ${ws.id} > ${file}` : `hxb kubeconfig ${ws.id} --mode token > ${file}`;
  return (
    <section aria-labelledby="connect" class="card">
      <h2 id="connect">Connect with kubectl</h2>
      <div role="radiogroup" aria-labelledby="mode-label" class="modes">
        <span id="mode-label" class="label">
          Kubeconfig mode
        </span>
        <label>
          <input
            type="radio"
            name="mode"
            value="exec"
            checked={mode === 'exec'}
            onChange={() => setMode('exec')}
          />
          Exec plugin (hxb fetches short-lived tokens)
        </label>
        <label>
          <input
            type="radio"
            name="mode"
            value="token"
            checked={mode === 'token'}
            onChange={() => setMode('token')}
          />
          Embedded token (expires in an hour)
        </label>
      </div>
      <ErrorMessage problem={problem} />
      <p>
        <button type="button" onClick={download} disabled={busy}>
          Download kubeconfig
        </button>
      </p>
      <p class="muted">Or from a terminal:</p>
      {mode === 'exec' && <CopyCommand label="Sign in with hxb" command={`hxb login --url ${origin}`} />}
      <CopyCommand label="Write the kubeconfig" command={fetchCommand} />
      <CopyCommand label="Use it with kubectl" command={`KUBECONFIG=${file} kubectl get namespaces`} />
    </section>
  );
}

function ChangePlan({
  ws,
  orgId,
  onStarted,
}: {
  ws: Workspace;
  orgId: string;
  onStarted: (taskId: string) => void;
}) {
  const { plans } = usePlans();
  const [planId, setPlanId] = useState(ws.planId);
  const [nodes, setNodes] = useState(ws.dedicatedNodeConfig?.nodeCount ?? 0);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const plan = plans?.find((p) => p.id === planId);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    const { data, error, response } = await api
      .PUT('/api/v1/organizations/{orgId}/workspaces/{wsId}', {
        params: { path: { orgId, wsId: ws.id } },
        body: {
          planId,
          dedicatedNodeConfig: plan?.allowsDedicatedNodes && nodes > 0 ? { nodeCount: nodes } : null,
        },
      })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (data) onStarted(data.taskId);
    else setProblem(problemOf(error, response));
  };
  return (
    <section aria-labelledby="change-plan" class="card">
      <h2 id="change-plan">Change plan</h2>
      {!plans ? (
        <Loading what="plans" />
      ) : (
        <form onSubmit={submit} class="stack">
          <ErrorMessage problem={problem} />
          <Field id="new-plan" label="New plan">
            <select id="new-plan" value={planId} onChange={(e) => setPlanId(e.currentTarget.value)}>
              {plans.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name} — {price(p)}
                </option>
              ))}
            </select>
          </Field>
          {plan?.allowsDedicatedNodes && (
            <Field id="new-nodes" label="Dedicated nodes" hint="0 runs on shared nodes.">
              <input
                id="new-nodes"
                type="number"
                min={0}
                max={100}
                value={nodes}
                onInput={(e) => setNodes(Number(e.currentTarget.value) || 0)}
                {...describedBy('new-nodes', undefined, true)}
              />
            </Field>
          )}
          <div class="actions">
            <button type="submit">Change plan</button>
          </div>
        </form>
      )}
    </section>
  );
}

/** Deletion asks first: the person types the workspace's name, as it cannot be undone. */
function DeleteWorkspace({
  ws,
  orgId,
  onStarted,
}: {
  ws: Workspace;
  orgId: string;
  onStarted: (taskId: string) => void;
}) {
  const [asking, setAsking] = useState(false);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const confirm = async (e: Event) => {
    e.preventDefault();
    const { data, error, response } = await api
      .DELETE('/api/v1/organizations/{orgId}/workspaces/{wsId}', { params: { path: { orgId, wsId: ws.id } } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (data) {
      setAsking(false);
      onStarted(data.taskId);
    } else setProblem(problemOf(error, response));
  };
  return (
    <section aria-labelledby="danger" class="card danger">
      <h2 id="danger">Delete workspace</h2>
      <p>Deleting removes the cluster and everything in it. It cannot be undone.</p>
      {!asking ? (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Delete workspace
        </button>
      ) : (
        <form onSubmit={confirm} class="stack">
          <ErrorMessage problem={problem} />
          <Field id="confirm-name" label={`Type ${ws.name} to confirm`}>
            <input
              id="confirm-name"
              value={typed}
              autocomplete="off"
              onInput={(e) => setTyped(e.currentTarget.value)}
              ref={(el) => el?.focus()}
            />
          </Field>
          <div class="actions">
            <button type="submit" class="danger" disabled={typed !== ws.name}>
              Delete permanently
            </button>
            <button type="button" class="secondary" onClick={() => setAsking(false)}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </section>
  );
}
