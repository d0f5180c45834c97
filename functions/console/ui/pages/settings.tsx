import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, problemOf } from '../api/client';
import { describedBy, ErrorMessage, Field } from '../components/feedback';
import { Page } from '../components/page';
import { useSignedIn } from '../session';
import { AuditLog } from './settings/audit-log';
import { Members, useMembers } from './settings/members';

/**
 * The chosen organization: its name (admins rename it), its members and roles, pending invitations (admins change
 * roles, remove, cancel and invite) and the audit log (admins).
 */
export function Settings() {
  const session = useSignedIn();
  const org = session.org;
  if (!org)
    return (
      <Page title="Organization settings">
        <p>
          You belong to no organization. <a href="/organizations">Create one</a>.
        </p>
      </Page>
    );
  return <OrgSettings key={org.id} />;
}

function OrgSettings() {
  const session = useSignedIn();
  const org = session.org!;
  const admin = org.role === 'admin';
  const list = useMembers(org.id);
  const [version, setVersion] = useState(0);
  const changed = (self: boolean) => {
    setVersion((v) => v + 1);
    if (self) void session.reload();
  };
  return (
    <Page title="Organization settings">
      {admin ? (
        <Rename
          orgId={org.id}
          name={org.name}
          onRenamed={async () => {
            await session.reload();
            changed(false);
          }}
        />
      ) : (
        <p>
          Organization: <strong>{org.name}</strong> (you are a member; admins change its settings).
        </p>
      )}
      <Members orgId={org.id} admin={admin} myUserId={session.me.id} list={list} onChanged={changed} />
      {admin && <AuditLog orgId={org.id} members={list.members ?? []} version={version} />}
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
