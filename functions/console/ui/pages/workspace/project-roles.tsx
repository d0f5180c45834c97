import { useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, type Schemas } from '../../api/client';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { draftOf, emptyRule, type RuleDraft, ruleOf, validateRule } from '../../components/policy-rule-check';
import { RuleEditor } from '../../components/policy-rules';
import { attempt } from './common';

type Role = Schemas['ProjectRole'];

export function Roles({
  projectId,
  roles,
  problem: loadProblem,
  onChanged,
}: {
  projectId: string;
  roles: Role[] | undefined;
  problem: Problem | undefined;
  onChanged: () => void;
}) {
  const [editing, setEditing] = useState<Role | 'new' | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const remove = async (r: Role) => {
    const res = await attempt(
      api.DELETE('/api/v1/projects/{projectId}/roles/{roleId}', {
        params: { path: { projectId, roleId: r.id } },
      }),
    );
    setProblem(res.problem);
    if (!res.problem) onChanged();
  };
  return (
    <section aria-labelledby="roles" class="card">
      <h2 id="roles">Roles</h2>
      <ErrorMessage problem={problem ?? loadProblem} />
      {!roles ? (
        !loadProblem && <Loading what="roles" />
      ) : (
        // Preset rules are long: the table may scroll sideways, so it takes focus for the keyboard.
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard
        <section class="table-wrap" tabIndex={0} aria-label="Roles table">
          <table>
            <thead>
              <tr>
                <th scope="col">Role</th>
                <th scope="col">Kind</th>
                <th scope="col">Rules</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {roles.map((r) => (
                <tr key={r.id}>
                  <th scope="row">{r.name}</th>
                  <td>{r.preset ? 'preset' : 'custom'}</td>
                  <td class="rules">
                    {r.rules.map((rule, i) => (
                      <div key={i}>
                        <code>
                          {rule.verbs.join(',')} {rule.resources.join(',')}
                          {rule.apiGroups.some(Boolean) ? ` (${rule.apiGroups.join(',')})` : ''}
                          {rule.resourceNames?.length ? ` [${rule.resourceNames.join(',')}]` : ''}
                        </code>
                      </div>
                    ))}
                  </td>
                  <td>
                    {!r.preset && (
                      <span class="row-actions">
                        <button type="button" class="secondary" onClick={() => setEditing(r)}>
                          Edit {r.name}
                        </button>
                        <button type="button" class="secondary" onClick={() => remove(r)}>
                          Delete {r.name}
                        </button>
                      </span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      )}
      {editing ? (
        <RoleForm
          key={editing === 'new' ? 'new' : editing.id}
          projectId={projectId}
          role={editing === 'new' ? undefined : editing}
          onDone={(saved) => {
            setEditing(undefined);
            if (saved) onChanged();
          }}
        />
      ) : (
        <p>
          <button type="button" onClick={() => setEditing('new')}>
            New role
          </button>
        </p>
      )}
    </section>
  );
}

/** Create or edit a custom role: its name and PolicyRules, checked here as the API checks them, then by the API. */
function RoleForm({
  projectId,
  role,
  onDone,
}: {
  projectId: string;
  role: Role | undefined;
  onDone: (saved: boolean) => void;
}) {
  const [name, setName] = useState(role?.name ?? '');
  const [rules, setRules] = useState<RuleDraft[]>(role ? role.rules.map(draftOf) : [emptyRule()]);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [local, setLocal] = useState<Record<string, string>>({});
  const errors = { ...fieldErrorsOf(problem), ...local };
  const submit = async (e: Event) => {
    e.preventDefault();
    const body = { name, rules: rules.map(ruleOf) };
    const found = Object.assign({}, ...body.rules.map(validateRule)) as Record<string, string>;
    if (!name.trim()) found.name = 'A name is required.';
    if (body.rules.length === 0) found.rules = 'At least one rule.';
    setLocal(found);
    setProblem(undefined);
    if (Object.keys(found).length) return;
    const r = await attempt(
      role
        ? api.PUT('/api/v1/projects/{projectId}/roles/{roleId}', {
            params: { path: { projectId, roleId: role.id } },
            body,
          })
        : api.POST('/api/v1/projects/{projectId}/roles', { params: { path: { projectId } }, body }),
    );
    if (r.problem) setProblem(r.problem);
    else onDone(true);
  };
  const title = role ? `Edit role ${role.name}` : 'New role';
  return (
    <form onSubmit={submit} class="stack" aria-label={title} noValidate>
      <h3>{title}</h3>
      <ErrorMessage problem={problem} />
      <Field id="role-name" label="Role name" error={errors.name}>
        <input
          id="role-name"
          value={name}
          autocomplete="off"
          onInput={(e) => setName(e.currentTarget.value)}
          {...describedBy('role-name', errors.name)}
        />
      </Field>
      {errors.rules && <p class="field-error">{errors.rules}</p>}
      {rules.map((rule, i) => (
        <RuleEditor
          key={i}
          index={i}
          rule={rule}
          errors={errors}
          onChange={(next) => setRules(rules.map((x, j) => (j === i ? next : x)))}
          onRemove={rules.length > 1 ? () => setRules(rules.filter((_, j) => j !== i)) : undefined}
        />
      ))}
      <div class="actions">
        <button type="button" class="secondary" onClick={() => setRules([...rules, emptyRule()])}>
          Add rule
        </button>
        <button type="submit">{role ? 'Save role' : 'Create role'}</button>
        <button type="button" class="secondary" onClick={() => onDone(false)}>
          Cancel
        </button>
      </div>
    </form>
  );
}
