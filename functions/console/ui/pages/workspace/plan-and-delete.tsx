import { useState } from 'preact/hooks';
import { api, type Problem, problemOf, type Workspace } from '../../api/client';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { price } from '../../components/plans';
import { usePlans } from '../create-workspace';

export function ChangePlan({
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
export function DeleteWorkspace({
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
