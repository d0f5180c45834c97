import type { Plan } from '../api/client';
import { money } from './money';

export const price = (p: Pick<Plan, 'price' | 'currency'>) =>
  p.price === 0 ? 'Free' : `${money(p.price, p.currency)} / month`;

const entries = (o: Record<string, string> | undefined) =>
  Object.entries(o ?? {})
    .map(([k, v]) => `${k} ${v}`)
    .join(', ') || '—';

/** What a plan gives: price, quotas, default and maximum container limits, caps, dedicated nodes. */
export function PlanDetails({ plan }: { plan: Plan }) {
  const { quota, limitRange } = plan.resourceLimits;
  return (
    <dl class="plan-details">
      <dt>Price</dt>
      <dd>{price(plan)}</dd>
      <dt>Quota</dt>
      <dd>{entries(quota)}</dd>
      <dt>Container defaults</dt>
      <dd>{entries(limitRange.default)}</dd>
      <dt>Container maximum</dt>
      <dd>{entries(limitRange.max)}</dd>
      <dt>Projects</dt>
      <dd>up to {plan.maxProjects}</dd>
      <dt>Members</dt>
      <dd>up to {plan.maxMembers}</dd>
      <dt>Dedicated nodes</dt>
      <dd>{plan.allowsDedicatedNodes ? 'available' : 'not available'}</dd>
    </dl>
  );
}

/** The plans as one radio group named "Plan"; each option is named by the plan and described by what it gives. */
export function PlanPicker({
  plans,
  value,
  onChange,
  error,
}: {
  plans: Plan[];
  value: string | undefined;
  onChange: (id: string) => void;
  error?: string | undefined;
}) {
  return (
    <div class="plans">
      <span id="plan-label" class="label">
        Plan
      </span>
      <div
        role="radiogroup"
        aria-labelledby="plan-label"
        aria-describedby={error ? 'plan-error' : undefined}
        class="plan-options"
      >
        {plans.map((p) => (
          <label key={p.id} class={value === p.id ? 'plan selected' : 'plan'}>
            <span class="plan-head">
              <input
                type="radio"
                name="planId"
                value={p.id}
                checked={value === p.id}
                onChange={() => onChange(p.id)}
                aria-labelledby={`plan-${p.id}-name`}
                aria-describedby={`plan-${p.id}-details`}
                required
              />
              <strong id={`plan-${p.id}-name`}>{p.name}</strong>
              <span class="muted">{price(p)}</span>
            </span>
            <div id={`plan-${p.id}-details`}>
              <PlanDetails plan={p} />
            </div>
          </label>
        ))}
      </div>
      {error && (
        <small id="plan-error" class="field-error">
          {error}
        </small>
      )}
    </div>
  );
}
