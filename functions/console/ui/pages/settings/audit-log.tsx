import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, problemOf, type Schemas } from '../../api/client';
import { describedBy, ErrorMessage, Field, formatDate, Loading } from '../../components/feedback';
import type { Member } from './members';

type Entry = Schemas['AuditEntry'];
type Filters = { action: string; actor: string; since: string; until: string };

const NONE: Filters = { action: '', actor: '', since: '', until: '' };
/** The organization's actions, offered by the Action field (any other text is sent as typed). */
const ACTIONS = [
  'organization.created',
  'organization.renamed',
  'invitation.created',
  'invitation.cancelled',
  'invitation.accepted',
  'invitation.declined',
  'member.role_changed',
  'member.removed',
];

/** A datetime-local value (the browser's time zone) as RFC 3339, or nothing. */
const instant = (local: string) => (local ? new Date(local).toISOString() : undefined);

/**
 * The audit log (admins), newest first: filters by action, actor and time range (GET …/audit-log), 50 entries a
 * page with "Load more entries". `version` changes after an action on this screen, which reloads the first page.
 */
export function AuditLog({ orgId, members, version }: { orgId: string; members: Member[]; version: number }) {
  const [draft, setDraft] = useState<Filters>(NONE);
  const [applied, setApplied] = useState<Filters>(NONE);
  const [entries, setEntries] = useState<Entry[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [loadingMore, setLoadingMore] = useState(false);
  const errors = fieldErrorsOf(problem);

  const fetchPage = async (filters: Filters, cursor?: string) => {
    const since = instant(filters.since);
    const until = instant(filters.until);
    const query = {
      limit: 50,
      ...(cursor ? { cursor } : {}),
      ...(filters.action.trim() ? { action: filters.action.trim() } : {}),
      ...(filters.actor ? { actor: filters.actor } : {}),
      ...(since ? { since } : {}),
      ...(until ? { until } : {}),
    };
    const { data, error, response } = await api
      .GET('/api/v1/organizations/{orgId}/audit-log', { params: { path: { orgId }, query } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (!data) {
      setProblem(problemOf(error, response));
      return undefined;
    }
    setProblem(undefined);
    return data;
  };
  const loadFirst = async (filters: Filters) => {
    const data = await fetchPage(filters);
    if (!data) return;
    setEntries(data.items);
    setNext(data.nextCursor);
  };
  useEffect(() => {
    void loadFirst(applied);
  }, [orgId, applied, version]);

  const loadMore = async () => {
    if (!next) return;
    setLoadingMore(true);
    const data = await fetchPage(applied, next);
    setLoadingMore(false);
    if (!data) return;
    setEntries((e) => [...(e ?? []), ...data.items]);
    setNext(data.nextCursor);
  };

  const names = new Map(members.map((m) => [m.userId, m.displayName || m.email]));
  const who = (id: string | null) => (id ? (names.get(id) ?? id) : 'Hexabase');
  const set = (key: keyof Filters) => (e: { currentTarget: { value: string } }) =>
    setDraft({ ...draft, [key]: e.currentTarget.value });
  const filtered = applied.action || applied.actor || applied.since || applied.until;

  return (
    <section aria-labelledby="audit-log">
      <h2 id="audit-log">Audit log</h2>
      <form
        class="card filters"
        aria-label="Audit log filters"
        onSubmit={(e) => {
          e.preventDefault();
          setEntries(undefined);
          setApplied({ ...draft });
        }}
      >
        <Field id="audit-action" label="Action" error={errors.action}>
          <input
            id="audit-action"
            list="audit-actions"
            maxLength={100}
            placeholder="Any action"
            value={draft.action}
            onInput={set('action')}
            {...describedBy('audit-action', errors.action)}
          />
          <datalist id="audit-actions">
            {ACTIONS.map((a) => (
              <option key={a} value={a} />
            ))}
          </datalist>
        </Field>
        <Field id="audit-actor" label="Actor" error={errors.actor}>
          <select
            id="audit-actor"
            value={draft.actor}
            onChange={set('actor')}
            {...describedBy('audit-actor', errors.actor)}
          >
            <option value="">Anyone</option>
            {members.map((m) => (
              <option key={m.userId} value={m.userId}>
                {m.displayName || m.email}
              </option>
            ))}
          </select>
        </Field>
        <Field id="audit-since" label="From" error={errors.since}>
          <input
            id="audit-since"
            type="datetime-local"
            value={draft.since}
            onInput={set('since')}
            {...describedBy('audit-since', errors.since)}
          />
        </Field>
        <Field id="audit-until" label="To" error={errors.until}>
          <input
            id="audit-until"
            type="datetime-local"
            value={draft.until}
            onInput={set('until')}
            {...describedBy('audit-until', errors.until)}
          />
        </Field>
        <div class="actions">
          <button type="submit">Apply filters</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setDraft(NONE);
              setEntries(undefined);
              setApplied(NONE);
            }}
          >
            Clear filters
          </button>
        </div>
      </form>
      <ErrorMessage problem={problem} />
      {entries === undefined ? (
        !problem && <Loading what="the audit log" />
      ) : entries.length === 0 ? (
        <p class="empty">{filtered ? 'No entries match these filters.' : 'No entries yet.'}</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="audit-log">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Action</th>
                <th scope="col">Actor</th>
                <th scope="col">Target</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {entries.map((e) => (
                <tr key={e.id}>
                  <td>{formatDate(e.createdAt)}</td>
                  <th scope="row">
                    <code>{e.action}</code>
                  </th>
                  <td>{who(e.actorId)}</td>
                  <td>{e.targetType === 'user' ? who(e.targetId) : `${e.targetType} ${e.targetId ?? ''}`}</td>
                  <td>{details(e.data)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {next && (
        <button type="button" class="secondary" disabled={loadingMore} onClick={loadMore}>
          Load more entries
        </button>
      )}
    </section>
  );
}

/** An entry's data as "key: value" pairs (what changed: `from: member, to: admin`). */
function details(data: unknown): string {
  if (!data || typeof data !== 'object') return '';
  return Object.entries(data as Record<string, unknown>)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ');
}
