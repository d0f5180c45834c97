import { describedBy, Field } from './feedback';
import { type RuleDraft, ruleError, VERBS } from './policy-rule-check';

/** One rule's fields: a fieldset "Rule {n}" with API groups, resources, verbs (checkboxes) and resource names. */
export function RuleEditor({
  index,
  rule,
  errors,
  onChange,
  onRemove,
}: {
  index: number;
  rule: RuleDraft;
  errors: Record<string, string>;
  onChange: (rule: RuleDraft) => void;
  onRemove?: () => void;
}) {
  const id = (f: string) => `rule-${index}-${f}`;
  const err = (f: string) => ruleError(errors, index, f);
  const text = (f: 'apiGroups' | 'resources' | 'resourceNames', label: string, hint: string) => (
    <Field id={id(f)} label={label} error={err(f)} hint={hint}>
      <input
        id={id(f)}
        value={rule[f]}
        autocomplete="off"
        onInput={(e) => onChange({ ...rule, [f]: e.currentTarget.value })}
        {...describedBy(id(f), err(f), true)}
      />
    </Field>
  );
  const verbsError = err('verbs');
  return (
    <fieldset class="rule">
      <legend>Rule {index + 1}</legend>
      {text('apiGroups', 'API groups', 'Comma-separated; empty for the core group (pods, services, …).')}
      {text('resources', 'Resources', 'Comma-separated, e.g. pods, deployments.')}
      <fieldset
        class="verbs"
        aria-invalid={verbsError ? true : undefined}
        aria-describedby={verbsError ? id('verbs-error') : undefined}
      >
        <legend>Verbs</legend>
        {VERBS.map((v) => (
          <label key={v}>
            <input
              type="checkbox"
              checked={rule.verbs.includes(v)}
              onChange={(e) =>
                onChange({
                  ...rule,
                  verbs: e.currentTarget.checked ? [...rule.verbs, v] : rule.verbs.filter((x) => x !== v),
                })
              }
            />
            {v}
          </label>
        ))}
        {verbsError && (
          <small id={id('verbs-error')} class="field-error">
            {verbsError}
          </small>
        )}
      </fieldset>
      {text('resourceNames', 'Resource names (optional)', 'Comma-separated; empty for all of them.')}
      {onRemove && (
        <button type="button" class="secondary" onClick={onRemove}>
          Remove rule {index + 1}
        </button>
      )}
    </fieldset>
  );
}
