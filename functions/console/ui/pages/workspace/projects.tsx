import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, type Schemas, type Workspace } from '../../api/client';
import { describedBy, ErrorMessage, Field, Loading } from '../../components/feedback';
import { attempt, flatten, useLoad } from './common';
import { TreeOptions } from './tree-options';

type ProjectNode = Schemas['ProjectNode'];

/** The projects of the workspace as a tree (nested lists of links), and creating one under a parent. */
export function Projects({ ws }: { ws: Workspace }) {
  const tree = useLoad(
    () =>
      api.GET('/api/v1/workspaces/{wsId}/projects', {
        params: { path: { wsId: ws.id }, query: { hierarchical: 'true' } },
      }),
    [ws.id],
  );
  const roots = (tree.data?.items ?? []) as ProjectNode[];
  const all = flatten(roots);
  // A new project is PENDING until its namespace exists: polled until every one settles.
  const pending = all.some(({ node }) => node.status === 'PENDING');
  useEffect(() => {
    if (!pending) return;
    const timer = setTimeout(tree.reload, 3000);
    return () => clearTimeout(timer);
  }, [pending, tree.data]);

  const [name, setName] = useState('');
  const [parentId, setParentId] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const errors = fieldErrorsOf(problem);
  const submit = async (e: Event) => {
    e.preventDefault();
    const r = await attempt(
      api.POST('/api/v1/workspaces/{wsId}/projects', {
        params: { path: { wsId: ws.id } },
        body: { name, parentId: parentId || null },
      }),
    );
    setProblem(r.problem);
    if (!r.problem) {
      setName('');
      tree.reload();
    }
  };
  return (
    <>
      <section aria-labelledby="projects" class="card">
        <h2 id="projects">Projects</h2>
        <ErrorMessage problem={tree.problem} />
        {!tree.data ? (
          !tree.problem && <Loading what="projects" />
        ) : roots.length === 0 ? (
          <p class="empty">No projects yet.</p>
        ) : (
          <ProjectList wsId={ws.id} nodes={roots} label="Project tree" />
        )}
      </section>
      <section aria-labelledby="create-project" class="card">
        <h2 id="create-project">Create project</h2>
        <form onSubmit={submit} class="stack">
          <ErrorMessage problem={problem} />
          <Field
            id="project-name"
            label="Project name"
            error={errors.name}
            hint="Also its namespace: lowercase letters, digits and dashes."
          >
            <input
              id="project-name"
              value={name}
              required
              autocomplete="off"
              onInput={(e) => setName(e.currentTarget.value)}
              {...describedBy('project-name', errors.name, true)}
            />
          </Field>
          <Field id="project-parent" label="Parent project" error={errors.parentId}>
            <select id="project-parent" value={parentId} onChange={(e) => setParentId(e.currentTarget.value)}>
              <option value="">None (top level)</option>
              <TreeOptions nodes={all} />
            </select>
          </Field>
          <div class="actions">
            <button type="submit">Create project</button>
          </div>
        </form>
      </section>
    </>
  );
}

function ProjectList({ wsId, nodes, label }: { wsId: string; nodes: ProjectNode[]; label?: string }) {
  return (
    <ul class="tree" aria-label={label}>
      {nodes.map((p) => (
        <li key={p.id}>
          <a href={`/workspaces/${wsId}/projects/${p.id}`}>{p.name}</a>{' '}
          <span class={`status status-${p.status === 'ACTIVE' ? 'running' : p.status.toLowerCase()}`}>
            {p.status}
          </span>
          {p.statusMessage && <span class="muted"> {p.statusMessage}</span>}
          {p.children.length > 0 && <ProjectList wsId={wsId} nodes={p.children} />}
        </li>
      ))}
    </ul>
  );
}
