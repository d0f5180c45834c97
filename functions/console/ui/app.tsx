import { useEffect } from 'preact/hooks';
import { LocationProvider, Route, Router, useLocation } from 'preact-iso';
import { billingPath } from './components/billing';
import { Loading } from './components/feedback';
import { ThemePicker } from './components/theme';
import { Billing, BillingOfChosenOrg } from './pages/billing';
import { CreateWorkspace } from './pages/create-workspace';
import { ComingLater } from './pages/later';
import { NotFound } from './pages/not-found';
import { CreateOrganization, Organizations } from './pages/organizations';
import { Settings } from './pages/settings';
import { SignIn } from './pages/sign-in';
import { Tokens } from './pages/tokens';
import { WorkspacePage } from './pages/workspace/index';
import { Workspaces } from './pages/workspaces';
import { SessionProvider, useSession, useSignedIn } from './session';

/** Links the router handles in the page; the API, sign-in and issuer paths are real navigations. */
const SCOPE = /^\/(?!(api|auth|oidc|webhooks)(\/|$))/;

export function App() {
  return (
    <LocationProvider scope={SCOPE}>
      <SessionProvider>
        <Screens />
      </SessionProvider>
    </LocationProvider>
  );
}

function Screens() {
  const session = useSession();
  if (session.status === 'loading')
    return (
      <main id="main" class="centered">
        <Loading what="Hexabase" />
      </main>
    );
  if (session.status === 'signed-out')
    return (
      <main id="main" class="centered">
        <SignIn />
      </main>
    );
  return <Shell />;
}

function Redirect({ to }: { to: string }) {
  const { route } = useLocation();
  useEffect(() => route(to, true), [to]);
  return null;
}

/** The main navigation; Billing is the chosen organization's (`/orgs/{orgId}/billing`, as the emails link it). */
const nav = (orgId: string | undefined) => [
  { href: '/workspaces', label: 'Workspaces' },
  { href: '/settings', label: 'Settings' },
  { href: '/organizations', label: 'Organizations' },
  { href: '/tokens', label: 'Tokens' },
  { href: orgId ? billingPath(orgId) : '/billing', label: 'Billing' },
  { href: '/usage', label: 'Usage', later: true },
];

const isBilling = (path: string) => path === '/billing' || /^\/orgs\/[^/]+\/billing$/.test(path);

function current(href: string, path: string) {
  if (isBilling(href)) return isBilling(path);
  return path === href || path.startsWith(`${href}/`);
}

function Shell() {
  const session = useSignedIn();
  const { path, route } = useLocation();
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/workspaces">
          Hexabase
        </a>
        {session.me.organizations.length > 0 && (
          <span class="org-switcher">
            <label for="org">Organization</label>
            <select
              id="org"
              value={session.org?.id}
              onChange={(e) => {
                session.selectOrg(e.currentTarget.value);
                route('/workspaces');
              }}
            >
              {session.me.organizations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </span>
        )}
        <a class="new-org" href="/organizations/new">
          New organization
        </a>
        <span class="spacer" />
        <ThemePicker />
        <span class="who" title={session.me.email}>
          {session.me.displayName || session.me.email}
        </span>
        <button
          type="button"
          class="secondary"
          onClick={async () => {
            await session.signOut();
            route('/', true);
          }}
        >
          Sign out
        </button>
      </header>
      <div class="layout">
        <nav aria-label="Main">
          <ul>
            {nav(session.org?.id).map((n) => (
              <li key={n.label}>
                <a href={n.href} aria-current={current(n.href, path) ? 'page' : undefined}>
                  {n.label}
                  {n.later && <span class="soon"> (later)</span>}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <main id="main" tabIndex={-1}>
          <Router>
            <Route path="/" component={() => <Redirect to="/workspaces" />} />
            <Route path="/sign-in" component={() => <Redirect to="/workspaces" />} />
            <Route path="/workspaces" component={Workspaces} />
            <Route path="/workspaces/new" component={CreateWorkspace} />
            <Route path="/workspaces/:wsId" component={WorkspacePage} />
            <Route path="/workspaces/:wsId/:section" component={WorkspacePage} />
            <Route path="/workspaces/:wsId/projects/:projectId" component={WorkspacePage} />
            <Route path="/settings" component={Settings} />
            <Route path="/organizations" component={Organizations} />
            <Route path="/organizations/new" component={CreateOrganization} />
            <Route path="/tokens" component={Tokens} />
            <Route path="/billing" component={BillingOfChosenOrg} />
            <Route path="/orgs/:orgId/billing" component={Billing} />
            <Route path="/usage" component={() => <ComingLater title="Usage" />} />
            <Route default component={NotFound} />
          </Router>
        </main>
      </div>
    </>
  );
}
