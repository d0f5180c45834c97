import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { count } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providerFetch } from '../../../shared/auth/providers/http';
import { identities, organizations, users } from '../../../shared/db/schema';
import { createBrowser } from '../../../shared/testing/browser';
import { json } from '../../../shared/testing/http';
import { corpProviders, startTestIdp, type TestIdp } from '../../../shared/testing/idp';
import { usePlatform } from '../../../shared/testing/platform';
import { createAuthApp } from '../app';

const ORIGIN = 'http://localhost:8080';
const REDIRECT = `${ORIGIN}/auth/callback/corp`;

describe('sign-in with an OIDC provider (real oidc-provider over HTTPS)', () => {
  let idp: TestIdp;
  let otherIdp: TestIdp;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-idp-'));
    idp = await startTestIdp({ dir, redirectUris: [REDIRECT] });
    otherIdp = await startTestIdp({ dir, redirectUris: [REDIRECT] });
  });
  afterAll(async () => {
    await idp?.close();
    await otherIdp?.close();
  });
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: ORIGIN,
    HEXABASE_TRUST_PROXY: 'true',
    HEXABASE_AUTH_PROVIDERS: corpProviders(idp),
  }));
  const app = () => createAuthApp(platform(), { log: platform().log });
  const browser = () => createBrowser({ app: app(), appOrigin: ORIGIN, external: providerFetch(idp.caFile) });
  const isCallback = (u: URL) => u.href.startsWith(REDIRECT);
  const account = (sub: string) => ({
    sub,
    email: `${sub}@corp.example`,
    email_verified: true,
    name: `User ${sub}`,
  });

  /** Runs the browser part up to the moment the IdP sends it back to Hexabase. */
  async function toCallback(b = browser(), returnTo = '/dashboard') {
    const { url, res } = await b.follow(
      `/auth/login/corp?returnTo=${encodeURIComponent(returnTo)}`,
      isCallback,
    );
    expect(isCallback(url), `${url} ${res?.status} ${await res?.text()}`).toBe(true);
    return { b, url };
  }
  const totals = async () => {
    const { db } = platform();
    const [u] = await db.select({ n: count() }).from(users);
    const [o] = await db.select({ n: count() }).from(organizations);
    const [i] = await db.select({ n: count() }).from(identities);
    return { users: u!.n, organizations: o!.n, identities: i!.n };
  };

  it('lists the provider', async () => {
    const body = await json(await app().request('/auth/providers'));
    expect(body.items).toEqual([{ id: 'corp', name: 'Corp SSO', type: 'oidc' }]);
  });

  it('sends the browser to the IdP with state, nonce and an S256 PKCE challenge', async () => {
    const res = await app().request('/auth/login/corp');
    expect(res.status).toBe(302);
    const to = new URL(res.headers.get('location')!);
    expect(to.origin).toBe(idp.issuer);
    expect(to.searchParams.get('code_challenge_method')).toBe('S256');
    expect(to.searchParams.get('code_challenge')).toMatch(/^[\w-]{43}$/);
    expect(to.searchParams.get('state')).toBeTruthy();
    expect(to.searchParams.get('nonce')).toBeTruthy();
    expect(to.searchParams.get('redirect_uri')).toBe(REDIRECT);
  });

  it('signs a new person in: creates the user and a private organization, sets cookies, lands on returnTo', async () => {
    idp.signInAs(account('alice'));
    const { b, url } = await toCallback();
    const res = await b.send(url);
    expect(res.status, await res.clone().text()).toBe(302);
    expect(res.headers.get('location')).toBe('/dashboard');
    const cookies = res.headers.getSetCookie().join('\n');
    expect(cookies).toMatch(/hxb_at=[^;]+;.*HttpOnly/);
    expect(cookies).toMatch(/hxb_at=[^;]+;.*Secure/);
    expect(cookies).toMatch(/hxb_at=[^;]+;.*SameSite=Lax/);
    const me = await json(await b.send(new URL('/auth/me', ORIGIN)));
    expect(me).toMatchObject({ email: 'alice@corp.example', displayName: 'User alice' });
    expect(me.organizations).toEqual([expect.objectContaining({ role: 'admin' })]);
  });

  it('recognises a returning person without creating anything new', async () => {
    idp.signInAs(account('bob'));
    const first = await toCallback();
    await first.b.send(first.url);
    const before = await totals();
    idp.signInAs(account('bob'));
    const second = await toCallback();
    const res = await second.b.send(second.url, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body.accessToken).toBeTruthy();
    expect(body.refreshToken).toMatch(/^hxb_rt_/);
    expect(await totals()).toEqual(before);
  });

  it('rejects a replayed callback (state already used) with 400 and creates nothing', async () => {
    idp.signInAs(account('carol'));
    const { b, url } = await toCallback();
    expect((await b.send(url)).status).toBe(302);
    const before = await totals();
    const replay = await b.send(url);
    expect(replay.status).toBe(400);
    expect((await json(replay)).code).toBe('INVALID_STATE');
    expect(await totals()).toEqual(before);
  });

  it('rejects a state it never issued with 400 and creates nothing', async () => {
    idp.signInAs(account('dave'));
    const { b, url } = await toCallback();
    url.searchParams.set('state', 'forged-state');
    const before = await totals();
    const res = await b.send(url);
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('INVALID_STATE');
    expect(await totals()).toEqual(before);
  });

  it('rejects a code redeemed with another attempt’s PKCE verifier (code injection) with 401', async () => {
    idp.signInAs(account('erin'));
    const victim = await toCallback();
    idp.signInAs(account('mallory'));
    const attacker = await toCallback();
    // The attacker's valid state (and verifier) with the victim's code.
    const injected = new URL(attacker.url);
    injected.searchParams.set('code', victim.url.searchParams.get('code')!);
    const before = await totals();
    const res = await attacker.b.send(injected);
    expect(res.status).toBe(401);
    expect((await json(res)).code).toBe('SIGN_IN_FAILED');
    expect(await totals()).toEqual(before);
  });

  it('rejects a code that was already redeemed with 401', async () => {
    idp.signInAs(account('frank'));
    const first = await toCallback();
    expect((await first.b.send(first.url)).status).toBe(302);
    idp.signInAs(account('frank'));
    const second = await toCallback();
    const replayedCode = new URL(second.url);
    replayedCode.searchParams.set('code', first.url.searchParams.get('code')!);
    const res = await second.b.send(replayedCode);
    expect(res.status).toBe(401);
  });

  it('rejects an ID token whose nonce does not match the attempt with 401', async () => {
    idp.signInAs(account('grace'));
    const { b, url } = await toCallback();
    // Swap the stored nonce, as if the ID token had been minted for another attempt.
    const { cache } = platform();
    const key = `oauth:state:${url.searchParams.get('state')}`;
    const stored = JSON.parse((await cache.get(key))!);
    await cache.set(key, JSON.stringify({ ...stored, nonce: 'another-nonce' }), 600);
    const before = await totals();
    const res = await b.send(url);
    expect(res.status).toBe(401);
    expect(await totals()).toEqual(before);
  });

  it('rejects a code issued by another issuer (same client id) with 401', async () => {
    const b = createBrowser({ app: app(), appOrigin: ORIGIN, external: providerFetch(otherIdp.caFile) });
    idp.signInAs(account('heidi'));
    const ours = await toCallback();
    otherIdp.signInAs(account('heidi'));
    // A person walks through the other IdP with the same client id and redirect URI.
    const start = new URL(`${otherIdp.issuer}/auth`);
    const ourAuth = new URL((await app().request('/auth/login/corp')).headers.get('location')!);
    start.search = ourAuth.search;
    start.searchParams.set('client_id', otherIdp.clientId);
    const { url } = await b.follow(start, isCallback);
    const foreign = new URL(ours.url);
    foreign.searchParams.set('code', url.searchParams.get('code')!);
    const res = await ours.b.send(foreign);
    expect(res.status).toBe(401);
  });

  it('refuses a returnTo on another origin with 400', async () => {
    for (const returnTo of ['https://evil.example/x', '//evil.example/x', '/\\evil.example']) {
      const res = await app().request(`/auth/login/corp?returnTo=${encodeURIComponent(returnTo)}`);
      expect(res.status, returnTo).toBe(400);
      expect((await json(res)).code).toBe('INVALID_RETURN_TO');
    }
  });

  it('returns 404 for a provider that is not configured', async () => {
    const res = await app().request('/auth/login/nope');
    expect(res.status).toBe(404);
    expect((await json(res)).code).toBe('UNKNOWN_PROVIDER');
  });

  it('creates one user and one organization for concurrent first sign-ins of one person', async () => {
    const attempts = await Promise.all(
      [1, 2, 3].map(async () => {
        idp.signInAs(account('ivan'));
        return toCallback();
      }),
    );
    const before = await totals();
    const results = await Promise.all(attempts.map(({ b, url }) => b.send(url)));
    expect(results.map((r) => r.status)).toEqual([302, 302, 302]);
    const after = await totals();
    expect(after.users - before.users).toBe(1);
    expect(after.organizations - before.organizations).toBe(1);
    expect(after.identities - before.identities).toBe(1);
  });

  it('does not link an identity whose email is unverified to an existing user', async () => {
    idp.signInAs(account('judy'));
    const first = await toCallback();
    await first.b.send(first.url);
    const before = await totals();
    idp.signInAs({ ...account('judy-impostor'), email: 'judy@corp.example', email_verified: false });
    const second = await toCallback();
    expect((await second.b.send(second.url)).status).toBe(302);
    const after = await totals();
    expect(after.users - before.users).toBe(1);
  });
});
