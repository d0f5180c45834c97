import { useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, type Schemas, type Workspace } from '../../api/client';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { attempt, flatten, useLoad } from './common';
import { TreeOptions } from './tree-options';

type Role = Schemas['ProjectRole'];

export function Assignments({
  ws,
  projectId,
  roles,
  names,
}: {
  ws: Workspace;
  projectId: string;
  roles: Role[];
  names: Map<string, string>;
}) {
  const list = useLoad(
    () => api.GET('/api/v1/projects/{projectId}/roleassignments', { params: { path: { projectId } } }),
    [projectId],
  );
  const groups = useLoad(
    () => api.GET('/api/v1/workspaces/{wsId}/groups', { params: { path: { wsId: ws.id } } }),
    [ws.id],
  );
  const all = flatten(groups.data?.items ?? []);
  const [groupId, setGroupId] = useState('');
  const [roleId, setRoleId] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const errors = fieldErrorsOf(problem);
  const run = async (call: Promise<{ response?: Response }>) => {
    const r = await attempt(call);
    setProblem(r.problem);
    if (!r.problem) list.reload();
  };
  return (
    <section aria-labelledby="assignments" class="card">
      <h2 id="assignments">Role assignments</h2>
      <ErrorMessage problem={problem ?? list.problem} />
      {!list.data ? (
        !list.problem && <Loading what="role assignments" />
      ) : list.data.items.length === 0 ? (
        <p class="empty">No roles assigned here or on a parent project.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Role</th>
                <th scope="col">Where</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.groupName}</th>
                  <td>{a.roleName}</td>
                  <td>
                    {a.inheritedFrom ? (
                      <>
                        Inherited from{' '}
                        <a href={`/workspaces/${ws.id}/projects/${a.inheritedFrom}`}>
                          {names.get(a.inheritedFrom) ?? a.inheritedFrom}
                        </a>
                      </>
                    ) : (
                      'This project'
                    )}
                  </td>
                  <td>
                    {!a.inheritedFrom && (
                      <button
                        type="button"
                        class="secondary"
                        onClick={() =>
                          run(
                            api.DELETE('/api/v1/projects/{projectId}/roleassignments/{assignmentId}', {
                              params: { path: { projectId, assignmentId: a.id } },
                            }),
                          )
                        }
                      >
                        Unassign {a.roleName} from {a.groupName}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {all.length > 0 && roles.length > 0 && (
        <form
          class="actions"
          onSubmit={(e) => {
            e.preventDefault();
            const g = groupId || all[0]?.node.id;
            const r = roleId || roles[0]?.id;
            if (g && r)
              void run(
                api.POST('/api/v1/projects/{projectId}/roleassignments', {
                  params: { path: { projectId } },
                  body: { groupId: g, roleId: r },
                }),
              );
          }}
        >
          <Field id="assign-group" label="Group to assign" error={errors.groupId}>
            <select
              id="assign-group"
              value={groupId || all[0]?.node.id}
              onChange={(e) => setGroupId(e.currentTarget.value)}
              {...describedBy('assign-group', errors.groupId)}
            >
              <TreeOptions nodes={all} />
            </select>
          </Field>
          <Field id="assign-role" label="Role to assign" error={errors.roleId}>
            <select
              id="assign-role"
              value={roleId || roles[0]?.id}
              onChange={(e) => setRoleId(e.currentTarget.value)}
              {...describedBy('assign-role', errors.roleId)}
            >
              {roles.map((r) => (
                <option key={r.id} value={r.id}>
                  {r.name}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit">Assign role</button>
        </form>
      )}
    </section>
  );
}
