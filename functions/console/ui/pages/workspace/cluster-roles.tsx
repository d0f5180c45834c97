import { useState } from 'preact/hooks';
import { api, type Problem, type Schemas, type Workspace } from '../../api/client';
import { ErrorMessage, Field, Loading } from '../../components/feedback';
import { attempt, useLoad } from './common';
import { TreeOptions } from './tree-options';

type GroupTree = Schemas['GroupTree'];
const CLUSTER_ROLES = ['hexabase:workspace-admin', 'hexabase:workspace-viewer'] as const;

export function ClusterRoles({
  ws,
  groups,
}: {
  ws: Workspace;
  groups: { node: GroupTree; depth: number }[];
}) {
  const list = useLoad(
    () => api.GET('/api/v1/workspaces/{wsId}/clusterroleassignments', { params: { path: { wsId: ws.id } } }),
    [ws.id],
  );
  const [groupId, setGroupId] = useState('');
  const [role, setRole] = useState<(typeof CLUSTER_ROLES)[number]>(CLUSTER_ROLES[1]);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const run = async (call: Promise<{ response?: Response }>) => {
    const r = await attempt(call);
    setProblem(r.problem);
    if (!r.problem) list.reload();
  };
  return (
    <section aria-labelledby="cluster-roles" class="card">
      <h2 id="cluster-roles">Cluster-role assignments</h2>
      <ErrorMessage problem={problem ?? list.problem} />
      {!list.data ? (
        !list.problem && <Loading what="cluster-role assignments" />
      ) : list.data.items.length === 0 ? (
        <p class="empty">No cluster roles assigned.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Group</th>
                <th scope="col">Cluster role</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {list.data.items.map((a) => (
                <tr key={a.id}>
                  <th scope="row">{a.groupName}</th>
                  <td>
                    <code>{a.clusterRoleName}</code>
                  </td>
                  <td>
                    <button
                      type="button"
                      class="secondary"
                      onClick={() =>
                        run(
                          api.DELETE('/api/v1/workspaces/{wsId}/clusterroleassignments/{assignmentId}', {
                            params: { path: { wsId: ws.id, assignmentId: a.id } },
                          }),
                        )
                      }
                    >
                      Unassign {a.clusterRoleName} from {a.groupName}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {groups.length > 0 && (
        <form
          class="actions"
          onSubmit={(e) => {
            e.preventDefault();
            const chosen = groupId || groups[0]?.node.id;
            if (chosen)
              void run(
                api.POST('/api/v1/workspaces/{wsId}/clusterroleassignments', {
                  params: { path: { wsId: ws.id } },
                  body: { groupId: chosen, clusterRoleName: role },
                }),
              );
          }}
        >
          <Field id="crb-group" label="Group">
            <select
              id="crb-group"
              value={groupId || groups[0]?.node.id}
              onChange={(e) => setGroupId(e.currentTarget.value)}
            >
              <TreeOptions nodes={groups} />
            </select>
          </Field>
          <Field id="crb-role" label="Cluster role">
            <select
              id="crb-role"
              value={role}
              onChange={(e) => setRole(e.currentTarget.value as (typeof CLUSTER_ROLES)[number])}
            >
              {CLUSTER_ROLES.map((r) => (
                <option key={r} value={r}>
                  {r}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit">Assign cluster role</button>
        </form>
      )}
    </section>
  );
}
