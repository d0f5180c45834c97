import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, readCookie } from '../api/client';
import { Loading } from '../components/feedback';
import { Page } from '../components/page';

type Provider = { id: string; name: string; type: string };

/** Whether the installation offers development sign-in: the shell says so in a <meta> (HEXABASE_DEV_LOGIN). */
const devLogin = () =>
  document.querySelector('meta[name="hxb-dev-login"]')?.getAttribute('content') === 'true';

/**
 * Signed out: the identity providers (GET /auth/providers), each a link that starts its sign-in and comes back to
 * this URL, and with development sign-in the form that POST /auth/login/dev reads (url-encoded `email`, `name`,
 * `returnTo`): a native form post, answered with the session cookies and a redirect back here.
 */
export function SignIn() {
  const { url } = useLocation();
  const returnTo = url.startsWith('/sign-in') ? '/' : url;
  const [providers, setProviders] = useState<Provider[] | undefined>(undefined);
  useEffect(() => {
    api
      .GET('/auth/providers')
      .then(({ data }) => setProviders((data as { items: Provider[] } | undefined)?.items ?? []))
      .catch(() => setProviders([]));
  }, []);
  const dev = devLogin();
  const csrf = readCookie('hxb_csrf');
  return (
    <div class="sign-in">
      <Page title="Sign in to Hexabase">
        {providers === undefined ? (
          <Loading what="sign-in options" />
        ) : (
          <>
            {providers.length > 0 && (
              <ul class="providers">
                {providers.map((p) => (
                  <li key={p.id}>
                    <a
                      class="button"
                      href={`/auth/login/${encodeURIComponent(p.id)}?returnTo=${encodeURIComponent(returnTo)}`}
                    >
                      Continue with {p.name}
                    </a>
                  </li>
                ))}
              </ul>
            )}
            {dev && (
              <form
                method="post"
                action="/auth/login/dev"
                class="card"
                aria-labelledby="dev-sign-in"
                onSubmit={(e) => {
                  // The endpoint reads `name` as optional but not empty: an empty field is left out of the post.
                  const name = e.currentTarget.elements.namedItem('name');
                  if (name instanceof HTMLInputElement && !name.value.trim()) name.disabled = true;
                }}
              >
                <h2 id="dev-sign-in">Development sign-in</h2>
                <p class="muted">This installation runs with HEXABASE_DEV_LOGIN on: any email signs in.</p>
                <input type="hidden" name="returnTo" value={returnTo} />
                {csrf && <input type="hidden" name="csrfToken" value={csrf} />}
                <div class="field">
                  <label for="dev-email">Email</label>
                  <input
                    id="dev-email"
                    name="email"
                    type="email"
                    autocomplete="email"
                    required
                    maxLength={254}
                  />
                </div>
                <div class="field">
                  <label for="dev-name">Name</label>
                  <input id="dev-name" name="name" type="text" autocomplete="name" maxLength={200} />
                </div>
                <button type="submit">Sign in</button>
              </form>
            )}
            {providers.length === 0 && !dev && (
              <p>No identity provider is configured for this installation.</p>
            )}
          </>
        )}
      </Page>
    </div>
  );
}
