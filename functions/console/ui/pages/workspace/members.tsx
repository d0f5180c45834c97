import { useState } from 'preact/hooks';
import { api, type Problem, type Workspace } from '../../api/client';
import { ErrorMessage, Field, formatDate, Loading } from '../../components/feedback';
import { attempt, useLoad } from './common';

/** Who is in the workspace: add an organization member, remove one. The API decides who may (403 shown). */
export function Members({ ws, orgId }: { ws: Workspace; orgId: string }) {
  const members = useLoad(
    () =>
      api.GET('/api/v1/workspaces/{wsId}/members', {
        params: { path: { wsId: ws.id }, query: { limit: 100 } },
      }),
    [ws.id],
  );
  const orgMembers = useLoad(
    () => api.GET('/api/v1/organizations/{orgId}/users', { params: { path: { orgId } } }),
    [orgId],
  );
  const [userId, setUserId] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const inWs = new Set(members.data?.items.map((m) => m.userId));
  const candidates = orgMembers.data?.items.filter((m) => !inWs.has(m.userId)) ?? [];

  const add = async (e: Event) => {
    e.preventDefault();
    const chosen = userId || candidates[0]?.userId;
    if (!chosen) return;
    const r = await attempt(
      api.POST('/api/v1/workspaces/{wsId}/members', {
        params: { path: { wsId: ws.id } },
        body: { userId: chosen },
      }),
    );
    setProblem(r.problem);
    if (!r.problem) {
      setUserId('');
      members.reload();
    }
  };
  const remove = async (id: string) => {
    const r = await attempt(
      api.DELETE('/api/v1/workspaces/{wsId}/members/{userId}', {
        params: { path: { wsId: ws.id, userId: id } },
      }),
    );
    setProblem(r.problem);
    if (!r.problem) members.reload();
  };

  return (
    <section aria-labelledby="members" class="card">
      <h2 id="members">Members</h2>
      <ErrorMessage problem={problem ?? members.problem} />
      {!members.data ? (
        !members.problem && <Loading what="members" />
      ) : members.data.items.length === 0 ? (
        <p class="empty">No members yet.</p>
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Joined</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {members.data.items.map((m) => (
                <tr key={m.userId}>
                  <th scope="row">{m.displayName || m.email}</th>
                  <td>{m.email}</td>
                  <td>{formatDate(m.joinedAt)}</td>
                  <td>
                    <button type="button" class="secondary" onClick={() => remove(m.userId)}>
                      Remove {m.displayName || m.email}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <h3>Add a member</h3>
      {!orgMembers.data ? (
        orgMembers.problem ? (
          <ErrorMessage problem={orgMembers.problem} />
        ) : (
          <Loading what="organization members" />
        )
      ) : candidates.length === 0 ? (
        <p class="muted">Every organization member is already in the workspace.</p>
      ) : (
        <form onSubmit={add} class="actions">
          <Field id="add-member" label="Organization member">
            <select
              id="add-member"
              value={userId || candidates[0]?.userId}
              onChange={(e) => setUserId(e.currentTarget.value)}
            >
              {candidates.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.displayName || m.email} ({m.email})
                </option>
              ))}
            </select>
          </Field>
          <button type="submit">Add member</button>
        </form>
      )}
    </section>
  );
}
