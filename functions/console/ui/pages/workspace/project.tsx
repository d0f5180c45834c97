import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type Problem, type Schemas, type Workspace } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/feedback';
import { NotFound } from '../not-found';
import { attempt, useLoad } from './common';
import { Assignments } from './project-assignments';
import { Roles } from './project-roles';

type Project = Schemas['Project'];

/** `/workspaces/{wsId}/projects/{projectId}`: the project, its roles, its role assignments (own and inherited). */
export function ProjectPage({ ws, projectId }: { ws: Workspace; projectId: string }) {
  const project = useLoad(
    () =>
      api.GET('/api/v1/workspaces/{wsId}/projects/{projectId}', {
        params: { path: { wsId: ws.id, projectId } },
      }),
    [ws.id, projectId],
  );
  const projects = useLoad(
    () => api.GET('/api/v1/workspaces/{wsId}/projects', { params: { path: { wsId: ws.id } } }),
    [ws.id, projectId],
  );
  const roles = useLoad(
    () => api.GET('/api/v1/projects/{projectId}/roles', { params: { path: { projectId } } }),
    [projectId],
  );
  if (project.problem?.status === 404) return <NotFound />;
  const p = project.data;
  const names = new Map(((projects.data?.items ?? []) as Project[]).map((x) => [x.id, x.name]));
  return (
    <>
      <p>
        <a href={`/workspaces/${ws.id}/projects`}>All projects</a>
      </p>
      <section aria-labelledby="project" class="card">
        <h2 id="project">Project {p?.name ?? ''}</h2>
        <ErrorMessage problem={project.problem} />
        {!p ? (
          !project.problem && <Loading what="the project" />
        ) : (
          <dl class="facts">
            <dt>Namespace</dt>
            <dd>
              <code>{p.namespace}</code>
            </dd>
            <dt>Status</dt>
            <dd>
              {p.status}
              {p.statusMessage && <span class="muted"> {p.statusMessage}</span>}
            </dd>
            <dt>Parent</dt>
            <dd>
              {p.parentId ? (
                <a href={`/workspaces/${ws.id}/projects/${p.parentId}`}>
                  {names.get(p.parentId) ?? p.parentId}
                </a>
              ) : (
                'none'
              )}
            </dd>
          </dl>
        )}
      </section>
      <Roles
        projectId={projectId}
        roles={roles.data?.items}
        problem={roles.problem}
        onChanged={roles.reload}
      />
      <Assignments ws={ws} projectId={projectId} roles={roles.data?.items ?? []} names={names} />
      {p && <DeleteProject ws={ws} project={p} />}
    </>
  );
}

function DeleteProject({ ws, project }: { ws: Workspace; project: Project }) {
  const { route } = useLocation();
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const confirm = async () => {
    const r = await attempt(
      api.DELETE('/api/v1/workspaces/{wsId}/projects/{projectId}', {
        params: { path: { wsId: ws.id, projectId: project.id } },
      }),
    );
    if (r.problem) setProblem(r.problem);
    else route(`/workspaces/${ws.id}/projects`);
  };
  return (
    <section aria-labelledby="delete-project" class="card danger">
      <h2 id="delete-project">Delete project</h2>
      <p>Deleting removes the namespace {project.namespace} and everything in it.</p>
      <ErrorMessage problem={problem} />
      {!asking ? (
        <button type="button" class="danger" onClick={() => setAsking(true)}>
          Delete project
        </button>
      ) : (
        <div class="actions">
          <button type="button" class="danger" onClick={confirm}>
            Delete project {project.name} permanently
          </button>
          <button type="button" class="secondary" onClick={() => setAsking(false)}>
            Cancel
          </button>
        </div>
      )}
    </section>
  );
}
