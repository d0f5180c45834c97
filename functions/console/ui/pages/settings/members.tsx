import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, problemOf, type Schemas } from '../../api/client';
import { describedBy, ErrorMessage, Field, formatDate, Loading } from '../../components/feedback';

export type Member = Schemas['OrganizationMember'];
type Invitation = Schemas['Invitation'];
type Role = Member['role'];

const failed = () => ({ data: undefined, error: undefined, response: undefined });

/** The organization's members and pending invitations (GET …/users), reloaded after every change. */
export function useMembers(orgId: string) {
  const [members, setMembers] = useState<Member[] | undefined>(undefined);
  const [invitations, setInvitations] = useState<Invitation[]>([]);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const load = async () => {
    const { data, error, response } = await api
      .GET('/api/v1/organizations/{orgId}/users', { params: { path: { orgId }, query: { limit: 200 } } })
      .catch(failed);
    if (!data) return setProblem(problemOf(error, response));
    setProblem(undefined);
    setMembers(data.items);
    setInvitations(data.pendingInvitations);
  };
  useEffect(() => {
    setMembers(undefined);
    setInvitations([]);
    void load();
  }, [orgId]);
  return { members, invitations, problem, load };
}

/**
 * Members with their roles; admins change a role (the select applies at once), remove a member (after a
 * confirmation), cancel a pending invitation and invite. The API's refusals (409: the last admin) show as alerts.
 */
export function Members({
  orgId,
  admin,
  myUserId,
  list,
  onChanged,
}: {
  orgId: string;
  admin: boolean;
  myUserId: string;
  list: ReturnType<typeof useMembers>;
  /** After a change: reloads the list, the audit log and, when it was the caller's own membership, the session. */
  onChanged: (self: boolean) => void;
}) {
  const { members, invitations } = list;
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [done, setDone] = useState('');
  const [confirming, setConfirming] = useState<string | undefined>(undefined);

  const act = async (run: () => Promise<{ error?: unknown; response?: Response }>, message: string) => {
    setProblem(undefined);
    setDone('');
    const { error, response } = await run().catch(failed);
    setConfirming(undefined);
    if (!response?.ok) return setProblem(problemOf(error, response));
    setDone(message);
  };
  const changeRole = async (m: Member, role: Role) => {
    await act(
      () =>
        api.PATCH('/api/v1/organizations/{orgId}/users/{userId}', {
          params: { path: { orgId, userId: m.userId } },
          body: { role },
        }),
      `${m.displayName || m.email} is now ${role === 'admin' ? 'an admin' : 'a member'}.`,
    );
    await list.load();
    onChanged(m.userId === myUserId);
  };
  const remove = async (m: Member) => {
    await act(
      () =>
        api.DELETE('/api/v1/organizations/{orgId}/users/{userId}', {
          params: { path: { orgId, userId: m.userId } },
        }),
      `${m.displayName || m.email} was removed.`,
    );
    await list.load();
    onChanged(m.userId === myUserId);
  };
  const cancel = async (i: Invitation) => {
    await act(
      () =>
        api.DELETE('/api/v1/organizations/{orgId}/invitations/{invitationId}', {
          params: { path: { orgId, invitationId: i.id } },
        }),
      `The invitation to ${i.email} was cancelled.`,
    );
    await list.load();
    onChanged(false);
  };

  return (
    <section aria-labelledby="members">
      <h2 id="members">Members</h2>
      <ErrorMessage problem={list.problem} />
      <ErrorMessage problem={problem} />
      <p role="status" class="muted">
        {done}
      </p>
      {members === undefined ? (
        !list.problem && <Loading what="members" />
      ) : (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Joined</th>
                {admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {members.map((m) => {
                const who = m.displayName || m.email;
                return (
                  <tr key={m.userId}>
                    <th scope="row">{m.displayName}</th>
                    <td>{m.email}</td>
                    <td>
                      {admin ? (
                        <select
                          aria-label={`Role of ${who}`}
                          value={m.role}
                          onChange={(e) =>
                            changeRole(m, e.currentTarget.value === 'admin' ? 'admin' : 'member')
                          }
                        >
                          <option value="member">Member</option>
                          <option value="admin">Admin</option>
                        </select>
                      ) : (
                        m.role
                      )}
                    </td>
                    <td>{formatDate(m.joinedAt)}</td>
                    {admin && (
                      <td class="row-actions">
                        {confirming === m.userId ? (
                          <>
                            <button type="button" class="danger" onClick={() => remove(m)}>
                              Confirm remove {who}
                            </button>
                            <button type="button" class="secondary" onClick={() => setConfirming(undefined)}>
                              Cancel
                            </button>
                          </>
                        ) : (
                          <button
                            type="button"
                            class="secondary"
                            aria-label={`Remove ${who}`}
                            onClick={() => setConfirming(m.userId)}
                          >
                            Remove
                          </button>
                        )}
                      </td>
                    )}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      <h3 id="pending">Pending invitations</h3>
      {members !== undefined && invitations.length === 0 ? (
        <p class="muted">No pending invitations.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="pending">
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Role</th>
                <th scope="col">Expires</th>
                {admin && <th scope="col">Actions</th>}
              </tr>
            </thead>
            <tbody>
              {invitations.map((i) => (
                <tr key={i.id}>
                  <th scope="row">{i.email}</th>
                  <td>{i.role}</td>
                  <td>{formatDate(i.expiresAt)}</td>
                  {admin && (
                    <td class="row-actions">
                      <button
                        type="button"
                        class="secondary"
                        aria-label={`Cancel invitation to ${i.email}`}
                        onClick={() => cancel(i)}
                      >
                        Cancel invitation
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {admin && <Invite orgId={orgId} onInvited={() => void list.load().then(() => onChanged(false))} />}
    </section>
  );
}

function Invite({ orgId, onInvited }: { orgId: string; onInvited: () => void }) {
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [sent, setSent] = useState('');
  const errors = fieldErrorsOf(problem);
  const invite = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    setSent('');
    const { data, error, response } = await api
      .POST('/api/v1/organizations/{orgId}/users', { params: { path: { orgId } }, body: { email, role } })
      .catch(failed);
    if (!data) return setProblem(problemOf(error, response));
    setEmail('');
    setSent(`Invitation sent to ${data.email}.`);
    onInvited();
  };
  return (
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
          {...describedBy('invite-role', errors.role)}
        >
          <option value="member">Member</option>
          <option value="admin">Admin</option>
        </select>
      </Field>
      <div class="actions">
        <button type="submit">Invite</button>
        <span role="status">{sent}</span>
      </div>
    </form>
  );
}
