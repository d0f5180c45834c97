import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type PlanChangePreview, type Problem, problemOf, type Workspace } from '../../api/client';
import {
  CheckoutReturned,
  needsPaymentMethod,
  PaymentRequired,
  returnUrlHere,
} from '../../components/billing';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { formatDay, money } from '../../components/money';
import { price } from '../../components/plans';
import { useSignedIn } from '../../session';
import { usePlans } from '../create-workspace';

/**
 * The plan change. With billing on, a paid target plan shows Stripe's prorated price of the change (GET
 * …/billing/preview) before the person confirms; a 402 (no payment method) offers Checkout, which comes back to
 * this page with the chosen plan in the query (`?plan=…`).
 */
export function ChangePlan({
  ws,
  orgId,
  onStarted,
}: {
  ws: Workspace;
  orgId: string;
  onStarted: (taskId: string) => void;
}) {
  const session = useSignedIn();
  const { query } = useLocation();
  const { plans } = usePlans();
  const [planId, setPlanId] = useState(query.plan ?? ws.planId);
  const [nodes, setNodes] = useState(ws.dedicatedNodeConfig?.nodeCount ?? 0);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const plan = plans?.find((p) => p.id === planId);
  const paid = plan !== undefined && plan.price > 0 && planId !== ws.planId;
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
  const orgName = session.me.organizations.find((o) => o.id === orgId)?.name ?? 'The organization';
  return (
    <section aria-labelledby="change-plan" class="card">
      <h2 id="change-plan">Change plan</h2>
      {!plans ? (
        <Loading what="plans" />
      ) : (
        <form onSubmit={submit} class="stack">
          <CheckoutReturned orgId={orgId} then="change the plan." />
          {needsPaymentMethod(problem) ? (
            <PaymentRequired
              orgId={orgId}
              orgName={orgName}
              planName={plan?.name ?? planId}
              returnUrl={() => returnUrlHere({ plan: planId })}
            />
          ) : (
            <ErrorMessage problem={problem} />
          )}
          <Field id="new-plan" label="New plan">
            <select
              id="new-plan"
              value={planId}
              onChange={(e) => {
                setPlanId(e.currentTarget.value);
                setProblem(undefined);
              }}
            >
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
          {paid && <ChangePreview orgId={orgId} wsId={ws.id} planId={planId} />}
          <div class="actions">
            <button type="submit">Change plan</button>
          </div>
        </form>
      )}
    </section>
  );
}

/**
 * What moving to a paid plan costs, as Stripe prorates it, asked again whenever the chosen plan changes. With
 * billing off (409 BILLING_DISABLED) it costs nothing, and says so.
 */
function ChangePreview({ orgId, wsId, planId }: { orgId: string; wsId: string; planId: string }) {
  const [preview, setPreview] = useState<PlanChangePreview | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  useEffect(() => {
    let stopped = false;
    setPreview(undefined);
    setProblem(undefined);
    api
      .GET('/api/v1/organizations/{orgId}/billing/preview', {
        params: { path: { orgId }, query: { workspaceId: wsId, planId } },
      })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }))
      .then(({ data, error, response }) => {
        if (stopped) return;
        if (data) setPreview(data);
        else setProblem(problemOf(error, response));
      });
    return () => {
      stopped = true;
    };
  }, [orgId, wsId, planId]);
  const off = problem?.code === 'BILLING_DISABLED';
  return (
    <div class="preview">
      <h3>Price of this change</h3>
      {off ? (
        <p class="muted">Nothing: this deployment does not charge for plans.</p>
      ) : (
        <ErrorMessage problem={problem} />
      )}
      {!preview ? (
        !problem && <Loading what="the price of this change" />
      ) : (
        <dl class="facts">
          <dt>Prorated amount</dt>
          <dd>
            {money(preview.prorationAmount, preview.currency)}
            <span class="muted"> for the rest of this period, on the next invoice</span>
          </dd>
          <dt>Next invoice</dt>
          <dd>
            {money(preview.amountDue, preview.currency)}
            {preview.periodEnd ? `, on ${formatDay(preview.periodEnd)}` : ''}
          </dd>
        </dl>
      )}
    </div>
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
