import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, fieldErrorsOf, type Problem, problemOf, type Schemas } from '../api/client';
import { describedBy, ErrorMessage, Field, formatDate, Loading } from '../components/feedback';
import { Page } from '../components/page';
import { useSignedIn } from '../session';

type MyInvitation = Schemas['MyInvitation'];

const failed = () => ({ data: undefined, error: undefined, response: undefined });

/** Every organization of the caller (switch to one), and the invitations addressed to them (accept, decline). */
export function Organizations() {
  const session = useSignedIn();
  const { route } = useLocation();
  return (
    <Page title="Organizations">
      <p>
        <a class="button" href="/organizations/new">
          Create organization
        </a>
      </p>
      <MyInvitations />
      <section aria-labelledby="yours">
        <h2 id="yours">Your organizations</h2>
        {session.me.organizations.length === 0 ? (
          <p class="empty">You belong to no organization yet.</p>
        ) : (
          <div class="table-wrap">
            <table aria-labelledby="yours">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Your role</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {session.me.organizations.map((o) => (
                  <tr key={o.id}>
                    <th scope="row">{o.name}</th>
                    <td>{o.role}</td>
                    <td class="row-actions">
                      {o.id === session.org?.id ? (
                        <span class="muted">Current</span>
                      ) : (
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Switch to ${o.name}`}
                          onClick={() => {
                            session.selectOrg(o.id);
                            route('/workspaces');
                          }}
                        >
                          Switch
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
    </Page>
  );
}

function MyInvitations() {
  const session = useSignedIn();
  const [items, setItems] = useState<MyInvitation[] | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [done, setDone] = useState('');
  const load = async () => {
    const { data, error, response } = await api.GET('/api/v1/invitations').catch(failed);
    if (!data) return setProblem(problemOf(error, response));
    setItems(data.items);
  };
  useEffect(() => {
    void load();
  }, []);
  const answer = async (i: MyInvitation, accept: boolean) => {
    setProblem(undefined);
    setDone('');
    const params = { params: { path: { invitationId: i.id } } };
    const { data, error, response } = await (accept
      ? api.POST('/api/v1/invitations/{invitationId}/accept', params)
      : api.POST('/api/v1/invitations/{invitationId}/decline', params)
    ).catch(failed);
    if (!data) setProblem(problemOf(error, response));
    else {
      setDone(
        data.status === 'accepted'
          ? `You joined ${i.organization.name} as ${data.role === 'admin' ? 'an admin' : 'a member'}.`
          : `You declined the invitation to ${i.organization.name}.`,
      );
      if (data.status === 'accepted') await session.reload();
    }
    await load();
  };
  return (
    <section aria-labelledby="invitations">
      <h2 id="invitations">Invitations for you</h2>
      <ErrorMessage problem={problem} />
      <p role="status" class="muted">
        {done}
      </p>
      {items === undefined ? (
        !problem && <Loading what="invitations" />
      ) : items.length === 0 ? (
        <p class="empty">No pending invitations for {session.me.email}.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="invitations">
            <thead>
              <tr>
                <th scope="col">Organization</th>
                <th scope="col">Role</th>
                <th scope="col">Expires</th>
                <th scope="col">Answer</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{i.organization.name}</th>
                  <td>{i.role}</td>
                  <td>{formatDate(i.expiresAt)}</td>
                  <td class="row-actions">
                    <button
                      type="button"
                      aria-label={`Accept invitation to ${i.organization.name}`}
                      onClick={() => answer(i, true)}
                    >
                      Accept
                    </button>
                    <button
                      type="button"
                      class="secondary"
                      aria-label={`Decline invitation to ${i.organization.name}`}
                      onClick={() => answer(i, false)}
                    >
                      Decline
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}

/** POST /api/v1/organizations: the caller becomes its admin; the new organization is chosen and its settings shown. */
export function CreateOrganization() {
  const session = useSignedIn();
  const { route } = useLocation();
  const [name, setName] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrorsOf(problem);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setBusy(true);
    const { data, error, response } = await api
      .POST('/api/v1/organizations', { body: { name: name.trim() } })
      .catch(failed);
    setBusy(false);
    if (!data) return setProblem(problemOf(error, response));
    await session.reload();
    session.selectOrg(data.id);
    route('/settings');
  };
  return (
    <Page title="Create organization">
      <form onSubmit={submit} class="card stack">
        <ErrorMessage problem={problem} />
        <Field id="new-org-name" label="Organization name" error={errors.name}>
          <input
            id="new-org-name"
            required
            maxLength={100}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            {...describedBy('new-org-name', errors.name)}
          />
        </Field>
        <div class="actions">
          <button type="submit" disabled={busy}>
            Create organization
          </button>
          <a href="/organizations">Cancel</a>
        </div>
      </form>
    </Page>
  );
}
