import { useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, type Schemas, type Workspace } from '../../api/client';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { ClusterRoles } from './cluster-roles';
import { attempt, flatten, useLoad } from './common';
import { GroupDetails } from './group-details';
import { TreeOptions } from './tree-options';

type GroupTree = Schemas['GroupTree'];

/** The group tree, one group's members, create/rename/delete, and the workspace cluster-role assignments. */
export function Groups({ ws }: { ws: Workspace }) {
  const groups = useLoad(
    () => api.GET('/api/v1/workspaces/{wsId}/groups', { params: { path: { wsId: ws.id } } }),
    [ws.id],
  );
  const [selected, setSelected] = useState<string | undefined>(undefined);
  const all = flatten(groups.data?.items ?? []);
  const group = all.find((g) => g.node.id === selected)?.node;
  return (
    <>
      <section aria-labelledby="groups" class="card">
        <h2 id="groups">Groups</h2>
        <ErrorMessage problem={groups.problem} />
        {!groups.data ? (
          !groups.problem && <Loading what="groups" />
        ) : groups.data.items.length === 0 ? (
          <p class="empty">No groups yet.</p>
        ) : (
          <GroupList
            nodes={groups.data.items}
            selected={selected}
            onSelect={setSelected}
            label="Group tree"
          />
        )}
        <CreateGroup ws={ws} groups={all} onCreated={groups.reload} />
      </section>
      {group && (
        <GroupDetails
          key={group.id}
          ws={ws}
          group={group}
          onChanged={groups.reload}
          onDeleted={() => {
            setSelected(undefined);
            groups.reload();
          }}
        />
      )}
      <ClusterRoles ws={ws} groups={all} />
    </>
  );
}

/** Nested lists; each group a button that opens its details (`aria-pressed` on the open one). */
function GroupList({
  nodes,
  selected,
  onSelect,
  label,
}: {
  nodes: GroupTree[];
  selected: string | undefined;
  onSelect: (id: string) => void;
  label?: string;
}) {
  return (
    <ul class="tree" aria-label={label}>
      {nodes.map((g) => (
        <li key={g.id}>
          <button type="button" class="link" aria-pressed={g.id === selected} onClick={() => onSelect(g.id)}>
            {g.name}
          </button>
          {g.isDefault && <span class="muted"> (default)</span>}
          {g.children.length > 0 && <GroupList nodes={g.children} selected={selected} onSelect={onSelect} />}
        </li>
      ))}
    </ul>
  );
}

function CreateGroup({
  ws,
  groups,
  onCreated,
}: {
  ws: Workspace;
  groups: { node: GroupTree; depth: number }[];
  onCreated: () => void;
}) {
  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const errors = fieldErrorsOf(problem);
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await attempt(
      api.POST('/api/v1/workspaces/{wsId}/groups', {
        params: { path: { wsId: ws.id } },
        body: { name, parentId: parentId || null },
      }),
    );
    setProblem(r.problem);
    if (!r.problem) {
      setName('');
      onCreated();
    }
  };
  return (
    <form onSubmit={submit} class="stack">
      <h3>Create a group</h3>
      <ErrorMessage problem={problem} />
      <Field id="group-name" label="New group name" error={errors.name}>
        <input
          id="group-name"
          value={name}
          required
          onInput={(e) => setName(e.currentTarget.value)}
          {...describedBy('group-name', errors.name)}
        />
      </Field>
      <Field id="group-parent" label="Parent group" error={errors.parentId}>
        <select id="group-parent" value={parentId} onChange={(e) => setParentId(e.currentTarget.value)}>
          <option value="">None (top level)</option>
          <TreeOptions nodes={groups} />
        </select>
      </Field>
      <div class="actions">
        <button type="submit">Create group</button>
      </div>
    </form>
  );
}
