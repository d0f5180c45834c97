import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, problemOf, type Schemas } from '../api/client';
import { describedBy, ErrorMessage, Field, formatDate, Loading } from '../components/feedback';
import { Page } from '../components/page';
import { useSignedIn } from '../session';

type Member = Schemas['OrganizationMember'];
type Invitation = Schemas['Invitation'];

/** The chosen organization: its name (admins rename it), its members and roles, and invitations (admins). */
export function Settings() {
  const session = useSignedIn();
  const org = session.org;
  if (!org) return <Page title="Organization settings">{<p>You belong to no organization.</p>}</Page>;
  const admin = org.role === 'admin';
  return (
    <Page title="Organization settings">
      {admin ? (
        <Rename orgId={org.id} name={org.name} onRenamed={session.reload} />
      ) : (
        <p>
          Organization: <strong>{org.name}</strong> (you are a member; admins change its settings).
        </p>
      )}
      <Members orgId={org.id} admin={admin} />
    </Page>
  );
}

function Rename({ orgId, name, onRenamed }: { orgId: string; name: string; onRenamed: () => Promise<void> }) {
  const [value, setValue] = useState(name);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [saved, setSaved] = useState(false);
  useEffect(() => setValue(name), [name]);
  const errors = fieldErrorsOf(problem);
  const submit = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setSaved(false);
    const { data, error, response } = await api
      .PATCH('/api/v1/organizations/{orgId}', { params: { path: { orgId } }, body: { name: value.trim() } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (!data) return setProblem(problemOf(error, response));
    await onRenamed();
    setSaved(true);
  };
  return (
    <section aria-labelledby="rename" class="card">
      <h2 id="rename">Name</h2>
      <form onSubmit={submit} class="stack">
        <ErrorMessage problem={problem} />
        <Field id="org-name" label="Organization name" error={errors.name}>
          <input
            id="org-name"
            required
            maxLength={100}
            value={value}
            onInput={(e) => setValue(e.currentTarget.value)}
            {...describedBy('org-name', errors.name)}
          />
        </Field>
        <div class="actions">
          <button type="submit">Rename</button>
          <span role="status">{saved ? 'Saved.' : ''}</span>
        </div>
      </form>
    </section>
  );
}

function Members({ orgId, admin }: { orgId: string; admin: boolean }) {
  const [members, setMembers] = useState<Member[] | undefined>(undefined);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [listProblem, setListProblem] = useState<Problem | undefined>(undefined);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<'admin' | 'member'>('member');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const errors = fieldErrorsOf(problem);

  const load = async () => {
    const { data, error, response } = await api
      .GET('/api/v1/organizations/{orgId}/users', { params: { path: { orgId }, query: { limit: 200 } } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (!data) return setListProblem(problemOf(error, response));
    setMembers(data.items);
    setInvitations(data.pendingInvitations);
  };
  useEffect(() => {
    setMembers(undefined);
    void load();
  }, [orgId]);

  const invite = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    const { data, error, response } = await api
      .POST('/api/v1/organizations/{orgId}/users', { params: { path: { orgId } }, body: { email, role } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (!data) return setProblem(problemOf(error, response));
    setEmail('');
    void load();
  };

  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      <ErrorMessage problem={listProblem} />
      {members === undefined ? (
        !listProblem && <Loading what="members" />
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {members.map((m) => (
                <tr key={m.userId}>
                  <th scope="row">{m.displayName}</th>
                  <td>{m.email}</td>
                  <td>{m.role}</td>
                  <td>{formatDate(m.joinedAt)}</td>
                </tr>
              ))}
              {invitations.map((i) => (
                <tr key={i.id}>
                  <th scope="row" class="muted">
                    (invited)
                  </th>
                  <td>{i.email}</td>
                  <td>{i.role}</td>
                  <td>pending until {formatDate(i.expiresAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin && (
        <form onSubmit={invite} class="card stack" aria-labelledby="invite">
          <h3 id="invite">Invite someone</h3>
          <ErrorMessage problem={problem} />
          <Field id="invite-email" label="Email address" error={errors.email}>
            <input
              id="invite-email"
              type="email"
              required
              maxLength={254}
              value={email}
              onInput={(e) => setEmail(e.currentTarget.value)}
              {...describedBy('invite-email', errors.email)}
            />
          </Field>
          <Field id="invite-role" label="Role" error={errors.role}>
            <select
              id="invite-role"
              value={role}
              onChange={(e) => setRole(e.currentTarget.value === 'admin' ? 'admin' : 'member')}
            >
              <option value="member">Member</option>
              <option value="admin">Admin</option>
            </select>
          </Field>
          <div class="actions">
            <button type="submit">Invite</button>
          </div>
        </form>
      )}
    </section>
  );
}
