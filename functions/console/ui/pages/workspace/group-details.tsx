import { useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, type Schemas, type Workspace } from '../../api/client';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { attempt, useLoad } from './common';

type GroupTree = Schemas['GroupTree'];

export function GroupDetails({
  ws,
  group,
  onChanged,
  onDeleted,
}: {
  ws: Workspace;
  group: GroupTree;
  onChanged: () => void;
  onDeleted: () => void;
}) {
  const path = { wsId: ws.id, groupId: group.id };
  const members = useLoad(
    () => api.GET('/api/v1/workspaces/{wsId}/groups/{groupId}/members', { params: { path } }),
    [group.id],
  );
  const wsMembers = useLoad(
    () =>
      api.GET('/api/v1/workspaces/{wsId}/members', {
        params: { path: { wsId: ws.id }, query: { limit: 100 } },
      }),
    [ws.id],
  );
  const [name, setName] = useState(group.name);
  const [userId, setUserId] = useState('');
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const errors = fieldErrorsOf(problem);
  const inGroup = new Set(members.data?.items.map((m) => m.userId));
  const candidates = wsMembers.data?.items.filter((m) => !inGroup.has(m.userId)) ?? [];

  const run = async (call: Promise<{ response?: Response }>, then: () => void) => {
    const r = await attempt(call);
    setProblem(r.problem);
    if (!r.problem) then();
  };
  return (
    <section aria-labelledby="group-details" class="card">
      <h2 id="group-details">Group {group.name}</h2>
      <ErrorMessage problem={problem ?? members.problem} />
      <form
        class="actions"
        onSubmit={(e) => {
          e.preventDefault();
          void run(
            api.PATCH('/api/v1/workspaces/{wsId}/groups/{groupId}', { params: { path }, body: { name } }),
            onChanged,
          );
        }}
      >
        <Field id="rename-group" label="Group name" error={errors.name}>
          <input
            id="rename-group"
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            {...describedBy('rename-group', errors.name)}
          />
        </Field>
        <button type="submit">Rename group</button>
      </form>
      <h3>Members of {group.name}</h3>
      {!members.data ? (
        !members.problem && <Loading what="group members" />
      ) : members.data.items.length === 0 ? (
        <p class="empty">No members in this group.</p>
      ) : (
        <ul>
          {members.data.items.map((m) => (
            <li key={m.userId}>
              {m.displayName || m.email} <span class="muted">{m.email}</span>{' '}
              <button
                type="button"
                class="secondary"
                onClick={() =>
                  run(
                    api.DELETE('/api/v1/workspaces/{wsId}/groups/{groupId}/members/{userId}', {
                      params: { path: { ...path, userId: m.userId } },
                    }),
                    members.reload,
                  )
                }
              >
                Remove {m.displayName || m.email} from {group.name}
              </button>
            </li>
          ))}
        </ul>
      )}
      {candidates.length > 0 && (
        <form
          class="actions"
          onSubmit={(e) => {
            e.preventDefault();
            const chosen = userId || candidates[0]?.userId;
            if (chosen)
              void run(
                api.POST('/api/v1/workspaces/{wsId}/groups/{groupId}/members', {
                  params: { path },
                  body: { userId: chosen },
                }),
                members.reload,
              );
          }}
        >
          <Field id="group-add-member" label="Workspace member">
            <select
              id="group-add-member"
              value={userId || candidates[0]?.userId}
              onChange={(e) => setUserId(e.currentTarget.value)}
            >
              {candidates.map((m) => (
                <option key={m.userId} value={m.userId}>
                  {m.displayName || m.email}
                </option>
              ))}
            </select>
          </Field>
          <button type="submit">Add to group</button>
        </form>
      )}
      <h3>Delete {group.name}</h3>
      {!asking ? (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Delete group
        </button>
      ) : (
        <div class="actions">
          <button
            type="button"
            class="danger"
            onClick={() =>
              run(api.DELETE('/api/v1/workspaces/{wsId}/groups/{groupId}', { params: { path } }), onDeleted)
            }
          >
            Delete group permanently
          </button>
          <button type="button" class="secondary" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}
