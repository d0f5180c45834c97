import { createHash, randomBytes } from 'node:crypto';
import { count, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../../scripts/local-server';
import { organizationMembers, personalAccessTokens, users } from '../../../shared/db/schema';
import { createBrowser, hiddenFields } from '../../../shared/testing/browser';
import { json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';

const ORIGIN = 'http://localhost:8080';
const uniq = () => randomBytes(4).toString('hex');

/** What `hxb login` sends the browser to: a loopback redirect, a state and a PKCE challenge. */
const cliQuery = () =>
  new URLSearchParams({
    redirectUri: 'http://127.0.0.1:53682/callback',
    state: randomBytes(16).toString('base64url'),
    codeChallenge: createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url'),
  }).toString();

describe('CSRF tokens bound to the session', () => {
  const platform = usePlatform({
    HEXABASE_PUBLIC_URL: ORIGIN,
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_TRUST_PROXY: 'true',
  });
  let server: ReturnType<typeof createLocalServer>;
  beforeAll(() => {
    server = createLocalServer(platform());
  });
  const browser = () =>
    createBrowser({
      app: { request: (path, init) => server.fetch(new Request(new URL(path, ORIGIN), init)) },
      appOrigin: ORIGIN,
      external: fetch,
    });
  /** A browser with a session, signed in through the development form as a person would. */
  const signedIn = async (email = `p-${uniq()}@example.com`) => {
    const b = browser();
    expect((await b.submit('/auth/login/dev', { email, returnTo: '/' })).status).toBe(303);
    return { b, email, csrf: b.cookies(ORIGIN).get('hxb_csrf')! };
  };
  const post = (b: ReturnType<typeof browser>, path: string, body: unknown, csrf?: string) =>
    b.send(new URL(path, ORIGIN), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(csrf ? { 'x-csrf-token': csrf } : {}) },
      body: JSON.stringify(body),
    });
  /** What a forged request could have changed: the person's tokens and organizations. */
  const footprint = async (email: string) => {
    const { db } = platform();
    const [user] = await db.select().from(users).where(eq(users.email, email));
    const [pats] = await db
      .select({ n: count() })
      .from(personalAccessTokens)
      .where(eq(personalAccessTokens.userId, user!.id));
    const [orgs] = await db
      .select({ n: count() })
      .from(organizationMembers)
      .where(eq(organizationMembers.userId, user!.id));
    return { pats: pats!.n, orgs: orgs!.n };
  };

  it('refuses a planted hxb_csrf cookie with a matching header or form field (403), changing nothing', async () => {
    const { b, email } = await signedIn();
    const before = await footprint(email);
    // As a sibling subdomain could: overwrite the readable cookie with a value of its choice, then echo it.
    const planted = randomBytes(32).toString('base64url');
    b.cookies(ORIGIN).set('hxb_csrf', planted);
    for (const res of [
      await post(b, '/auth/tokens', { name: 'forged' }, planted),
      await post(b, '/api/v1/organizations', { name: 'Forged' }, planted),
      await b.submit('/auth/cli/authorize', {
        ...Object.fromEntries(new URLSearchParams(cliQuery())),
        decision: 'allow',
        csrfToken: planted,
      }),
    ]) {
      expect(res.status).toBe(403);
      expect(res.headers.get('location')).toBeNull();
      expect((await json(res)).code).toBe('CSRF_FAILED');
    }
    expect(await footprint(email)).toEqual(before);
  });

  it('accepts the session’s own token in the X-CSRF-Token header, in every function', async () => {
    const { b, email, csrf } = await signedIn();
    expect(csrf).toMatch(/^[\w-]{43}$/);
    expect((await post(b, '/auth/tokens', { name: 'from-browser' }, csrf)).status).toBe(201);
    expect((await post(b, '/api/v1/organizations', { name: 'Browser org' }, csrf)).status).toBe(201);
    expect(await footprint(email)).toEqual({ pats: 1, orgs: 2 });
  });

  it('accepts the session’s own token in a form field, and pages embed it even when the cookie was replaced', async () => {
    const { b, csrf } = await signedIn();
    b.cookies(ORIGIN).set('hxb_csrf', randomBytes(32).toString('base64url'));
    const page = await b.send(new URL(`/auth/cli/authorize?${cliQuery()}`, ORIGIN));
    expect(page.status).toBe(200);
    const fields = hiddenFields(await page.text());
    expect(fields.csrfToken).toBe(csrf);
    const allowed = await b.submit('/auth/cli/authorize', { ...fields, decision: 'allow' });
    expect(allowed.status).toBe(303);
    expect(new URL(allowed.headers.get('location')!).searchParams.get('code')).toBeTruthy();
  });

  it('refuses one session’s token in another session, even of the same person (403)', async () => {
    const email = `twice-${uniq()}@example.com`;
    const a = await signedIn(email);
    const b = await signedIn(email);
    const other = await signedIn();
    expect(a.csrf).not.toBe(b.csrf);
    for (const token of [a.csrf, other.csrf]) {
      const res = await post(b.b, '/auth/tokens', { name: 'crossed' }, token);
      expect(res.status).toBe(403);
      expect((await json(res)).code).toBe('CSRF_FAILED');
    }
    expect((await footprint(email)).pats).toBe(0);
  });

  it('keeps the token across refreshes, so open tabs keep working', async () => {
    const { b, csrf } = await signedIn();
    const res = await b.send(new URL('/auth/refresh', ORIGIN), {
      method: 'POST',
      headers: { 'x-csrf-token': csrf },
    });
    expect(res.status).toBe(200);
    expect(b.cookies(ORIGIN).get('hxb_csrf')).toBe(csrf);
    expect((await post(b, '/auth/tokens', { name: 'after-refresh' }, csrf)).status).toBe(201);
  });

  it('needs no CSRF token for bearer requests, whatever the cookies say', async () => {
    const { email } = await signedIn();
    const login = await server.fetch(
      new Request(new URL('/auth/login/dev', ORIGIN), {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-forwarded-for': '192.0.2.10' },
        body: JSON.stringify({ email }),
      }),
    );
    const { accessToken } = await json(login);
    const res = await server.fetch(
      new Request(new URL('/auth/tokens', ORIGIN), {
        method: 'POST',
        headers: {
          authorization: `Bearer ${accessToken}`,
          cookie: 'hxb_csrf=planted',
          'content-type': 'application/json',
        },
        body: JSON.stringify({ name: 'bearer' }),
      }),
    );
    expect(res.status).toBe(201);
  });
});
