import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import { api, type Problem, problemOf, type Task, type Workspace } from '../../api/client';
import { ErrorMessage, Loading } from '../../components/feedback';
import { Page } from '../../components/page';
import { TaskProgress } from '../../components/task-progress';
import { useSignedIn } from '../../session';
import { NotFound } from '../not-found';
import { STEADY } from '../workspaces';
import { Connect } from './connect';
import { Groups } from './groups';
import { Members } from './members';
import { Conditions, Overview } from './overview';
import { ChangePlan, DeleteWorkspace } from './plan-and-delete';
import { ProjectPage } from './project';
import { Projects } from './projects';
import { UsageSection } from './usage';

type Found = { ws: Workspace; orgId: string };

/**
 * Finds the workspace in the organizations the caller belongs to, the chosen one first, so a link from another
 * organization works. Every 404 looks the same: `null`, the not-found screen, whether the id is malformed,
 * unknown, or someone else's.
 */
function useWorkspace(wsId: string) {
  const session = useSignedIn();
  const [found, setFound] = useState<Found | null | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [tick, setTick] = useState(0);
  const orgIds = [
    ...(session.org ? [session.org.id] : []),
    ...session.me.organizations.map((o) => o.id).filter((id) => id !== session.org?.id),
  ];
  const known = found?.orgId;

  useEffect(() => {
    let stopped = false;
    (async () => {
      for (const orgId of known ? [known] : orgIds) {
        const { data, error, response } = await api
          .GET('/api/v1/organizations/{orgId}/workspaces/{wsId}', { params: { path: { orgId, wsId } } })
          .catch(() => ({ data: undefined, error: undefined, response: undefined }));
        if (stopped) return;
        if (data) {
          setFound({ ws: data, orgId });
          setProblem(undefined);
          return;
        }
        if (response?.status !== 404) {
          setProblem(problemOf(error, response));
          return;
        }
      }
      setFound(null);
    })();
    return () => {
      stopped = true;
    };
  }, [wsId, tick]);

  // Live status while the workspace is on its way somewhere.
  const status = found?.ws.status;
  useEffect(() => {
    if (!status || STEADY.has(status)) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 3000);
    return () => clearTimeout(timer);
  }, [status, tick]);

  return { found, problem, reload: () => setTick((t) => t + 1) };
}

const TABS = [
  { section: '', label: 'Overview' },
  { section: 'members', label: 'Members' },
  { section: 'groups', label: 'Groups' },
  { section: 'projects', label: 'Projects' },
  { section: 'usage', label: 'Usage' },
];

/** The workspace's sections: real links, the current one `aria-current="page"`. */
function Tabs({ wsId, section }: { wsId: string; section: string }) {
  return (
    <nav aria-label="Workspace" class="tabs">
      <ul>
        {TABS.map((t) => (
          <li key={t.section}>
            <a
              href={`/workspaces/${wsId}${t.section ? `/${t.section}` : ''}`}
              aria-current={t.section === section ? 'page' : undefined}
            >
              {t.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/**
 * `/workspaces/{wsId}` and its sections: `/members`, `/groups`, `/projects`, `/projects/{projectId}`, `/usage`. An unknown
 * section is the same "Not found" as an unknown workspace.
 */
export function WorkspacePage() {
  const { params, query } = useRoute();
  const wsId = params.wsId ?? '';
  const section = params.section ?? (params.projectId ? 'projects' : '');
  const session = useSignedIn();
  const { route } = useLocation();
  const { found, problem, reload } = useWorkspace(wsId);
  const [taskId, setTaskId] = useState<string | undefined>(query.task);
  const [deleting, setDeleting] = useState(false);

  useEffect(() => setTaskId(query.task), [query.task]);

  if (found === null || !TABS.some((t) => t.section === section)) return <NotFound />;
  if (!found)
    return (
      <Page title="Workspace">
        <ErrorMessage problem={problem} />
        {!problem && <Loading what="the workspace" />}
      </Page>
    );

  const { ws, orgId } = found;
  const isAdmin = session.me.organizations.find((o) => o.id === orgId)?.role === 'admin';
  const onDone = (t: Task) => {
    if (deleting && t.status === 'succeeded') route('/workspaces');
    else reload();
  };

  return (
    <Page title={ws.name}>
      <p>
        <a href="/workspaces">All workspaces</a>
      </p>
      <Tabs wsId={ws.id} section={section} />
      <ErrorMessage problem={problem} />
      {section === '' && (
        <>
          <Overview ws={ws} />
          {taskId && <TaskProgress taskId={taskId} onDone={onDone} />}
          <Conditions conditions={ws.conditions} />
          <Connect ws={ws} orgId={orgId} />
          {isAdmin && ws.status !== 'DELETING' && (
            <>
              <ChangePlan ws={ws} orgId={orgId} onStarted={setTaskId} />
              <DeleteWorkspace
                ws={ws}
                orgId={orgId}
                onStarted={(id) => {
                  setDeleting(true);
                  setTaskId(id);
                }}
              />
            </>
          )}
        </>
      )}
      {section === 'members' && <Members ws={ws} orgId={orgId} />}
      {section === 'groups' && <Groups ws={ws} />}
      {section === 'projects' && !params.projectId && <Projects ws={ws} />}
      {section === 'projects' && params.projectId && <ProjectPage ws={ws} projectId={params.projectId} />}
      {section === 'usage' && <UsageSection ws={ws} />}
    </Page>
  );
}
