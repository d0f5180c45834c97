import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerFetch } from '../../../shared/auth/providers/http';
import { users } from '../../../shared/db/schema';
import { createBrowser, hiddenFields } from '../../../shared/testing/browser';
import { json } from '../../../shared/testing/http';
import { corpProviders, startTestIdp, type TestIdp } from '../../../shared/testing/idp';
import { usePlatform } from '../../../shared/testing/platform';
import { createAuthApp } from '../app';

const ORIGIN = 'http://localhost:8080';
const LOOPBACK = 'http://127.0.0.1:53682/callback';

/** What `hxb login` does before opening the browser: a PKCE pair and a state. */
function cliRequest(redirectUri = LOOPBACK) {
  const codeVerifier = randomBytes(32).toString('base64url');
  const params = {
    redirectUri,
    state: randomBytes(16).toString('base64url'),
    codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
  };
  return { codeVerifier, params, query: new URLSearchParams(params).toString() };
}

describe('CLI sign-in through the browser (loopback redirect + PKCE, real oidc-provider)', () => {
  let idp: TestIdp;
  beforeAll(async () => {
    idp = await startTestIdp({
      dir: mkdtempSync(join(tmpdir(), 'hexabase-idp-')),
      redirectUris: [`${ORIGIN}/auth/callback/corp`],
    });
  });
  afterAll(() => idp?.close());
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: ORIGIN,
    HEXABASE_TRUST_PROXY: 'true',
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_AUTH_PROVIDERS: corpProviders(idp),
  }));
  const app = () => createAuthApp(platform(), { log: platform().log });
  const browser = () => createBrowser({ app: app(), appOrigin: ORIGIN, external: providerFetch(idp.caFile) });
  const redeem = (body: Record<string, string>) =>
    app().request('/auth/cli/token', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  /** Signs in at the IdP from the CLI's link and stops on the consent page. */
  async function toConsent(sub: string, req = cliRequest()) {
    idp.signInAs({ sub, email: `${sub}@corp.example`, email_verified: true, name: sub });
    const b = browser();
    const { res } = await b.follow(`/auth/cli/authorize?${req.query}&provider=corp`);
    expect(res?.status).toBe(200);
    const page = await res!.text();
    expect(page).toContain(`${sub}@corp.example`);
    return { b, req, page, res: res! };
  }

  it('signs in at the IdP, asks for consent, and gives the CLI a code it redeems once for a 90-day token', async () => {
    const { b, req, page } = await toConsent('carol');
    const answer = await b.submit('/auth/cli/authorize', { ...hiddenFields(page), decision: 'allow' });
    expect(answer.status).toBe(303);
    const back = new URL(answer.headers.get('location')!);
    expect(`${back.origin}${back.pathname}`).toBe(LOOPBACK);
    expect(back.searchParams.get('state')).toBe(req.params.state);
    const code = back.searchParams.get('code')!;

    const res = await redeem({
      code,
      codeVerifier: req.codeVerifier,
      redirectUri: LOOPBACK,
      name: 'hxb on lab',
    });
    expect(res.status).toBe(201);
    const pat = await json(res);
    expect(pat.token).toMatch(/^hxb_pat_/);
    expect(pat.name).toBe('hxb on lab');
    const days = (new Date(pat.expiresAt).getTime() - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    const me = await json(
      await app().request('/auth/me', { headers: { authorization: `Bearer ${pat.token}` } }),
    );
    expect(me.email).toBe('carol@corp.example');

    const again = await redeem({ code, codeVerifier: req.codeVerifier, redirectUri: LOOPBACK });
    expect(again.status).toBe(400);
    expect(await json(again)).toMatchObject({ code: 'INVALID_CODE' });
  });

  it('uses a code up when the verifier is wrong, and refuses a different redirect URI', async () => {
    for (const wrong of ['verifier', 'redirect'] as const) {
      const { b, req, page } = await toConsent(`dave-${wrong}`);
      const answer = await b.submit('/auth/cli/authorize', { ...hiddenFields(page), decision: 'allow' });
      const code = new URL(answer.headers.get('location')!).searchParams.get('code')!;
      const bad =
        wrong === 'verifier'
          ? { code, codeVerifier: randomBytes(32).toString('base64url'), redirectUri: LOOPBACK }
          : { code, codeVerifier: req.codeVerifier, redirectUri: 'http://127.0.0.1:1/callback' };
      expect((await redeem(bad)).status).toBe(400);
      const right = await redeem({ code, codeVerifier: req.codeVerifier, redirectUri: LOOPBACK });
      expect(right.status).toBe(400);
    }
  });

  it('sends access_denied and no code when the person denies', async () => {
    const { b, page } = await toConsent('erin');
    const answer = await b.submit('/auth/cli/authorize', { ...hiddenFields(page), decision: 'deny' });
    const back = new URL(answer.headers.get('location')!);
    expect(back.searchParams.get('error')).toBe('access_denied');
    expect(back.searchParams.has('code')).toBe(false);
  });

  it('refuses a consent post without the CSRF field (403) or without a session (401)', async () => {
    const { b, page } = await toConsent('frank');
    const { csrfToken: _dropped, ...withoutCsrf } = hiddenFields(page);
    const forged = await b.submit('/auth/cli/authorize', { ...withoutCsrf, decision: 'allow' });
    expect(forged.status).toBe(403);
    expect(await json(forged)).toMatchObject({ code: 'CSRF_FAILED' });
    const anonymous = await browser().submit('/auth/cli/authorize', {
      ...hiddenFields(page),
      decision: 'allow',
    });
    expect(anonymous.status).toBe(401);
  });

  it('serves the consent page uncached, unframeable, and posting only to itself and the loopback address', async () => {
    const { res } = await toConsent('gina');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    const csp = res.headers.get('content-security-policy')!;
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).toContain("form-action 'self' http://127.0.0.1:53682");
  });

  it('escapes what it echoes into the page', async () => {
    const { page } = await toConsent('hal', cliRequest('http://127.0.0.1:5/"><script>x</script>'));
    expect(page).not.toContain('<script>');
    expect(hiddenFields(page).redirectUri).toBe('http://127.0.0.1:5/"><script>x</script>');
  });

  it.each([
    ['an https address', 'https://127.0.0.1:5000/callback'],
    ['another host', 'http://evil.example:5000/callback'],
    ['no port', 'http://127.0.0.1/callback'],
    ['credentials', 'http://user:pw@127.0.0.1:5000/callback'],
    ['not a URL', 'callback'],
  ])('answers 400 problem+json for a redirect URI with %s, before anything else', async (_what, uri) => {
    const res = await app().request(`/auth/cli/authorize?${cliRequest(uri).query}&provider=corp`);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(await json(res)).toMatchObject({ code: 'INVALID_REDIRECT_URI' });
  });

  it('answers 400 for a missing or malformed PKCE challenge, and 404 for an unknown provider', async () => {
    const { params } = cliRequest();
    const noChallenge = new URLSearchParams({ redirectUri: params.redirectUri, state: params.state });
    expect((await app().request(`/auth/cli/authorize?${noChallenge}`)).status).toBe(400);
    const plain = new URLSearchParams({ ...params, codeChallenge: 'plain' });
    expect((await app().request(`/auth/cli/authorize?${plain}`)).status).toBe(400);
    const unknown = await app().request(`/auth/cli/authorize?${cliRequest().query}&provider=nope`);
    expect(unknown.status).toBe(404);
  });

  it('offers every provider and the development form when signed out, each returning here', async () => {
    const { query } = cliRequest();
    const res = await app().request(`/auth/cli/authorize?${query}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    const here = encodeURIComponent(`/auth/cli/authorize?${query}`);
    expect(page).toContain(`href="/auth/login/corp?returnTo=${here.replace(/&/g, '&amp;')}"`);
    expect(page).toContain('action="/auth/login/dev"');
    expect(hiddenFields(page).returnTo).toBe(`/auth/cli/authorize?${query}`);
  });

  it('signs in with the development form and lands back on the consent page', async () => {
    const b = browser();
    const { query } = cliRequest();
    const signIn = await b.submit('/auth/login/dev', {
      email: 'ivy@example.com',
      returnTo: `/auth/cli/authorize?${query}`,
    });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe(`/auth/cli/authorize?${query}`);
    const { res } = await b.follow(signIn.headers.get('location')!);
    expect(await res!.text()).toContain('ivy@example.com');
  });

  it('refuses a development form with an off-site returnTo (400) and creates nobody', async () => {
    const { db } = platform();
    const before = await db.select({ n: count() }).from(users);
    const res = await browser().submit('/auth/login/dev', {
      email: 'mallory@example.com',
      returnTo: 'https://evil.example/',
    });
    expect(res.status).toBe(400);
    expect(await db.select({ n: count() }).from(users)).toEqual(before);
    expect(await db.select().from(users).where(eq(users.email, 'mallory@example.com'))).toEqual([]);
  });
});
