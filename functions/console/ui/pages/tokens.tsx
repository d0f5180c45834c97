import { useEffect, useState } from 'preact/hooks';
import { api, fieldErrorsOf, type Problem, problemOf, type Schemas } from '../api/client';
import { CopyCommand, describedBy, ErrorMessage, Field, formatDate, Loading } from '../components/feedback';
import { Page } from '../components/page';

type Token = Schemas['PersonalAccessToken'];

/** Personal access tokens: list, create (the secret is shown once, here), revoke after a second click. */
export function Tokens() {
  const [tokens, setTokens] = useState<Token[] | undefined>(undefined);
  const [listProblem, setListProblem] = useState<Problem | undefined>(undefined);
  const [name, setName] = useState('');
  const [expires, setExpires] = useState('');
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [created, setCreated] = useState<{ name: string; token: string } | undefined>(undefined);
  const [confirming, setConfirming] = useState<string | undefined>(undefined);
  const errors = fieldErrorsOf(problem);

  const load = async () => {
    const { data, error, response } = await api
      .GET('/auth/tokens', { params: { query: { limit: 200 } } })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (data) setTokens(data.items);
    else setListProblem(problemOf(error, response));
  };
  useEffect(() => {
    void load();
  }, []);

  const create = async (e: Event) => {
    e.preventDefault();
    setProblem(undefined);
    const { data, error, response } = await api
      .POST('/auth/tokens', {
        body: {
          name: name.trim(),
          ...(expires ? { expiresAt: new Date(`${expires}T23:59:59`).toISOString() } : {}),
        },
      })
      .catch(() => ({ data: undefined, error: undefined, response: undefined }));
    if (!data) return setProblem(problemOf(error, response));
    setCreated({ name: data.name, token: data.token });
    setName('');
    setExpires('');
    void load();
  };

  const revoke = async (id: string) => {
    const { response, error } = await api.DELETE('/auth/tokens/{id}', { params: { path: { id } } });
    setConfirming(undefined);
    if (!response.ok) setListProblem(problemOf(error, response));
    void load();
  };

  return (
    <Page title="Personal access tokens">
      <p class="muted">
        Tokens let the <code>hxb</code> CLI and scripts act as you: <code>hxb login --token …</code>.
      </p>
      <section aria-labelledby="new-token" class="card">
        <h2 id="new-token">Create a token</h2>
        <form onSubmit={create} class="stack">
          <ErrorMessage problem={problem} />
          <Field id="token-name" label="Token name" error={errors.name}>
            <input
              id="token-name"
              required
              maxLength={100}
              value={name}
              onInput={(e) => setName(e.currentTarget.value)}
              {...describedBy('token-name', errors.name)}
            />
          </Field>
          <Field id="token-expires" label="Expires on (optional)" error={errors.expiresAt}>
            <input
              id="token-expires"
              type="date"
              value={expires}
              onInput={(e) => setExpires(e.currentTarget.value)}
              {...describedBy('token-expires', errors.expiresAt)}
            />
          </Field>
          <div class="actions">
            <button type="submit">Create token</button>
          </div>
        </form>
        <div aria-live="polite">
          {created && (
            <div class="secret" role="status">
              <p>
                <strong>Token “{created.name}” created.</strong> Copy it now: it is not shown again.
              </p>
              <CopyCommand label="New token secret" command={created.token} />
              <button type="button" class="secondary" onClick={() => setCreated(undefined)}>
                Done
              </button>
            </div>
          )}
        </div>
      </section>
      <section aria-labelledby="your-tokens">
        <h2 id="your-tokens">Your tokens</h2>
        <ErrorMessage problem={listProblem} />
        {tokens === undefined ? (
          !listProblem && <Loading what="tokens" />
        ) : tokens.length === 0 ? (
          <p class="empty">No tokens yet.</p>
        ) : (
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Created</th>
                  <th scope="col">Expires</th>
                  <th scope="col">Last used</th>
                  <th scope="col">
                    <span class="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((t) => (
                  <tr key={t.id}>
                    <th scope="row">{t.name}</th>
                    <td>{formatDate(t.createdAt)}</td>
                    <td>{t.expiresAt ? formatDate(t.expiresAt) : 'never'}</td>
                    <td>{t.lastUsedAt ? formatDate(t.lastUsedAt) : 'never'}</td>
                    <td class="row-actions">
                      {confirming === t.id ? (
                        <>
                          <button type="button" class="danger" onClick={() => revoke(t.id)}>
                            Confirm revoke {t.name}
                          </button>
                          <button type="button" class="secondary" onClick={() => setConfirming(undefined)}>
                            Cancel
                          </button>
                        </>
                      ) : (
                        <button
                          type="button"
                          class="secondary"
                          aria-label={`Revoke ${t.name}`}
                          onClick={() => setConfirming(t.id)}
                        >
                          Revoke
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
