import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, fieldErrorsOf, type Plan, type Problem, problemOf } from '../api/client';
import { CheckoutReturned, needsPaymentMethod, PaymentRequired, returnUrlHere } from '../components/billing';
import { describedBy, ErrorMessage, Field, Loading } from '../components/feedback';
import { Page } from '../components/page';
import { PlanPicker } from '../components/plans';
import { useSignedIn } from '../session';

export function usePlans() {
  const [plans, setPlans] = useState<Plan[] | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  useEffect(() => {
    api
      .GET('/api/v1/plans', { params: { query: { limit: 200 } } })
      .then(({ data, error, response }) => {
        if (data) setPlans(data.items);
        else setProblem(problemOf(error, response));
      })
      .catch(() => setProblem(problemOf(undefined)));
  }, []);
  return { plans, problem };
}

/**
 * A name and a plan (and dedicated nodes where the plan has them); then the workspace page follows the task. A
 * paid plan without a payment method (402) offers Checkout, which comes back here with the choices in the query
 * (`?name=…&plan=…&nodes=…`), so the form is as it was left.
 */
export function CreateWorkspace() {
  const { org } = useSignedIn();
  const { route, query } = useLocation();
  const { plans, problem: plansProblem } = usePlans();
  const [name, setName] = useState(query.name ?? '');
  const [planId, setPlanId] = useState<string | undefined>(query.plan);
  const [nodes, setNodes] = useState(Number(query.nodes) || 0);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const plan = plans?.find((p) => p.id === planId);
  const errors = fieldErrorsOf(problem);

  if (!org) return <Page title="Create workspace">{<p>You belong to no organization.</p>}</Page>;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (!planId) return;
    setBusy(true);
    setProblem(undefined);
    const { data, error, response } = await api
      .POST('/api/v1/organizations/{orgId}/workspaces', {
        params: { path: { orgId: org.id } },
        body: {
          name: name.trim(),
          planId,
          ...(plan?.allowsDedicatedNodes && nodes > 0 ? { dedicatedNodeConfig: { nodeCount: nodes } } : {}),
        },
      })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    setBusy(false);
    if (data) route(`/workspaces/${data.workspaceId}?task=${encodeURIComponent(data.taskId)}`);
    else setProblem(problemOf(error, response));
  };

  return (
    <Page title="Create workspace">
      <p class="muted">
        A workspace is a Kubernetes cluster of its own (a vCluster) in <strong>{org.name}</strong>, sized by
        its plan.
      </p>
      <ErrorMessage problem={plansProblem} />
      {!plans ? (
        !plansProblem && <Loading what="plans" />
      ) : (
        <form onSubmit={submit} class="stack">
          <CheckoutReturned orgId={org.id} then="create the workspace." />
          {needsPaymentMethod(problem) ? (
            <PaymentRequired
              orgId={org.id}
              orgName={org.name}
              planName={plan?.name ?? planId ?? 'chosen'}
              returnUrl={() =>
                returnUrlHere({
                  name: name.trim(),
                  ...(planId ? { plan: planId } : {}),
                  ...(nodes > 0 ? { nodes: String(nodes) } : {}),
                })
              }
            />
          ) : (
            <ErrorMessage problem={problem} />
          )}
          <Field
            id="ws-name"
            label="Workspace name"
            error={errors.name}
            hint="Letters, digits, spaces, dots, dashes and underscores; up to 63 characters."
          >
            <input
              id="ws-name"
              name="name"
              required
              maxLength={63}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              {...describedBy('ws-name', errors.name, true)}
            />
          </Field>
          <PlanPicker
            plans={plans}
            value={planId}
            onChange={(id) => {
              setPlanId(id);
              // A 402 was about the plan chosen before.
              if (needsPaymentMethod(problem)) setProblem(undefined);
            }}
            error={errors.planId}
          />
          {plan?.allowsDedicatedNodes && (
            <Field
              id="ws-nodes"
              label="Dedicated nodes"
              error={errors['dedicatedNodeConfig.nodeCount'] ?? errors.dedicatedNodeConfig}
              hint="0 runs on shared nodes; up to 100."
            >
              <input
                id="ws-nodes"
                type="number"
                min={0}
                max={100}
                value={nodes}
                onInput={(e) => setNodes(Number(e.currentTarget.value) || 0)}
                {...describedBy('ws-nodes', errors['dedicatedNodeConfig.nodeCount'], true)}
              />
            </Field>
          )}
          <div class="actions">
            <button type="submit" disabled={busy}>
              Create workspace
            </button>
            <a href="/workspaces">Cancel</a>
          </div>
        </form>
      )}
    </Page>
  );
}
