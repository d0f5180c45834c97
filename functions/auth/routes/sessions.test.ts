import { createHmac } from 'node:crypto';
import { and, count, eq } from 'drizzle-orm';
import { generateKeyPair, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { auditLog, sessions } from '../../../shared/db/schema';
import { json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { createAuthApp } from '../app';

const b64url = (s: string | Buffer) => Buffer.from(s).toString('base64url');

/** Limits use fixed one-minute windows: start a burst early in a window so it cannot straddle two. */
async function freshWindow() {
  const into = Date.now() % 60_000;
  if (into > 45_000) await new Promise((r) => setTimeout(r, 60_000 - into + 50));
}

describe('sessions, access tokens and personal access tokens', () => {
  // Without a reuse grace window, as strict rotation was before it existed; refresh.test.ts covers the window.
  const platform = usePlatform({
    HEXABASE_TRUST_PROXY: 'true',
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_REFRESH_REUSE_GRACE_SECONDS: '0',
  });
  const app = () => createAuthApp(platform(), { log: platform().log });
  let ip = 0;
  const req = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', `203.0.113.${(ip++ % 250) + 1}`);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (init.body) headers.set('content-type', 'application/json');
    return app().request(path, { ...init, headers });
  };
  const login = async (email: string) => {
    const res = await req('/auth/login/dev', {
      method: 'POST',
      body: JSON.stringify({ email, name: email }),
    });
    expect(res.status).toBe(200);
    return json(res);
  };
  const me = (token: string) => req('/auth/me', { token });

  it('signs in with dev login and answers /auth/me with the private organization', async () => {
    const s = await login('dana@example.com');
    const res = await me(s.accessToken);
    expect(res.status).toBe(200);
    const body = await json(res);
    expect(body).toMatchObject({ email: 'dana@example.com', displayName: 'dana@example.com' });
    expect(body.organizations).toHaveLength(1);
    expect(body.organizations[0].role).toBe('admin');
  });

  it('returns 401 to anonymous callers of protected routes', async () => {
    for (const [path, method] of [
      ['/auth/me', 'GET'],
      ['/auth/tokens', 'GET'],
      ['/auth/tokens', 'POST'],
      ['/auth/logout', 'POST'],
    ] as const) {
      const res = await req(path, { method, ...(method === 'POST' ? { body: '{}' } : {}) });
      expect(res.status, `${method} ${path}`).toBe(401);
    }
  });

  describe('rejects access tokens that are', () => {
    const tamper = async (mutate: (parts: string[]) => string) => {
      const s = await login('tamper@example.com');
      return mutate(s.accessToken.split('.'));
    };
    const cases: [string, () => Promise<string>][] = [
      ['malformed', async () => 'not-a-jwt'],
      [
        'tampered in the payload',
        () =>
          tamper(([h, p, sig]) => {
            const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
            return [h, b64url(JSON.stringify({ ...claims, sub: 'usr-aaaaaaaaaaaaaaaaaaaa' })), sig].join('.');
          }),
      ],
      [
        'unsigned (alg: none)',
        () =>
          tamper(([h, p]) => {
            const header = JSON.parse(Buffer.from(h!, 'base64url').toString());
            return [b64url(JSON.stringify({ ...header, alg: 'none' })), p, ''].join('.');
          }),
      ],
      [
        'HS256-signed with the public key',
        async () => {
          const s = await login('hs256@example.com');
          const [h, p] = s.accessToken.split('.');
          const header = JSON.parse(Buffer.from(h, 'base64url').toString());
          const jwks = await platform().auth.auth.keys.jwks();
          const pub = JSON.stringify(jwks.keys.find((k) => k.kid === header.kid));
          const forgedHeader = b64url(JSON.stringify({ ...header, alg: 'HS256' }));
          const sig = createHmac('sha256', pub).update(`${forgedHeader}.${p}`).digest('base64url');
          return `${forgedHeader}.${p}.${sig}`;
        },
      ],
      [
        'signed by an unknown key id',
        async () => {
          const s = await login('kid@example.com');
          const claims = JSON.parse(Buffer.from(s.accessToken.split('.')[1], 'base64url').toString());
          const { privateKey } = await generateKeyPair('RS256');
          return new SignJWT(claims)
            .setProtectedHeader({ alg: 'RS256', kid: 'key-unknown', typ: 'at+jwt' })
            .sign(privateKey);
        },
      ],
      [
        'expired',
        async () => {
          const s = await login('exp@example.com');
          const claims = JSON.parse(Buffer.from(s.accessToken.split('.')[1], 'base64url').toString());
          const { kid, key } = await platform().auth.auth.keys.signingKey();
          const now = Math.floor(Date.now() / 1000);
          return new SignJWT({ ...claims, iat: now - 3600, exp: now - 60 })
            .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
            .sign(key);
        },
      ],
      [
        'issued for another audience',
        async () => {
          const s = await login('aud@example.com');
          const claims = JSON.parse(Buffer.from(s.accessToken.split('.')[1], 'base64url').toString());
          const { kid, key } = await platform().auth.auth.keys.signingKey();
          return new SignJWT({ ...claims, aud: 'ws-aaaaaaaaaaaaaaaaaaaa' })
            .setProtectedHeader({ alg: 'RS256', kid, typ: 'at+jwt' })
            .sign(key);
        },
      ],
    ];
    it.each(cases)('%s (401)', async (_name, make) => {
      const res = await me(await make());
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect((await json(res)).code).toBe('INVALID_TOKEN');
    });
  });

  it('rotates refresh tokens; reusing a spent one revokes the whole session and is audited', async () => {
    const s = await login('rot@example.com');
    const r1 = await req('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    expect(r1.status).toBe(200);
    const pair = await json(r1);
    expect(pair.refreshToken).not.toBe(s.refreshToken);
    expect((await me(pair.accessToken)).status).toBe(200);

    const reuse = await req('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    expect(reuse.status).toBe(401);
    expect((await json(reuse)).code).toBe('REFRESH_TOKEN_REUSED');
    // Both the new access token and the new refresh token die with the session.
    expect((await me(pair.accessToken)).status).toBe(401);
    const again = await req('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: pair.refreshToken }),
    });
    expect(again.status).toBe(401);
    const { db } = platform();
    const [row] = await db
      .select({ n: count() })
      .from(auditLog)
      .where(eq(auditLog.action, 'session.refresh_token_reused'));
    expect(row!.n).toBeGreaterThanOrEqual(1);
  });

  it('lets exactly one of two concurrent refreshes of the same token win when there is no grace window', async () => {
    const s = await login('race@example.com');
    const body = JSON.stringify({ refreshToken: s.refreshToken });
    const results = await Promise.all([1, 2].map(() => req('/auth/refresh', { method: 'POST', body })));
    expect(results.map((r) => r.status).sort()).toEqual([200, 401]);
  });

  it('ends the session at once on logout, for every process', async () => {
    const s = await login('bye@example.com');
    const other = createAuthApp(platform(), { log: platform().log }); // another process, same database
    expect((await req('/auth/logout', { method: 'POST', token: s.accessToken })).status).toBe(204);
    expect((await me(s.accessToken)).status).toBe(401);
    const viaOther = await other.request('/auth/me', {
      headers: { authorization: `Bearer ${s.accessToken}` },
    });
    expect(viaOther.status).toBe(401);
    const refresh = await req('/auth/refresh', {
      method: 'POST',
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    });
    expect(refresh.status).toBe(401);
    const { db } = platform();
    const [row] = await db
      .select()
      .from(sessions)
      .where(eq(sessions.id, s.sessionId ?? ''));
    void row;
  });

  it('creates, lists and revokes personal access tokens; a revoked one stops working', async () => {
    const s = await login('pat@example.com');
    const created = await req('/auth/tokens', {
      method: 'POST',
      token: s.accessToken,
      body: JSON.stringify({ name: 'ci' }),
    });
    expect(created.status).toBe(201);
    const pat = await json(created);
    expect(pat.token).toMatch(/^hxb_pat_[\w-]{43}$/);
    expect((await me(pat.token)).status).toBe(200);
    const list = await json(await req('/auth/tokens', { token: s.accessToken }));
    expect(list.items.map((t: { id: string }) => t.id)).toEqual([pat.id]);
    expect(JSON.stringify(list)).not.toContain(pat.token);
    expect((await req(`/auth/tokens/${pat.id}`, { method: 'DELETE', token: s.accessToken })).status).toBe(
      204,
    );
    const after = await me(pat.token);
    expect(after.status).toBe(401);
    expect((await json(after)).code).toBe('INVALID_TOKEN');
    const { db } = platform();
    const actions = await db
      .select({ action: auditLog.action })
      .from(auditLog)
      .where(and(eq(auditLog.targetId, pat.id)));
    expect(actions.map((a) => a.action).sort()).toEqual(['token.created', 'token.revoked']);
  });

  it('refuses expiries in the past, and returns 404 for another user’s token', async () => {
    const a = await login('owner@example.com');
    const b = await login('intruder@example.com');
    const past = await req('/auth/tokens', {
      method: 'POST',
      token: a.accessToken,
      body: JSON.stringify({ name: 'old', expiresAt: '2020-01-01T00:00:00Z' }),
    });
    expect(past.status).toBe(400);
    const pat = await json(
      await req('/auth/tokens', {
        method: 'POST',
        token: a.accessToken,
        body: JSON.stringify({ name: 'mine' }),
      }),
    );
    const steal = await req(`/auth/tokens/${pat.id}`, { method: 'DELETE', token: b.accessToken });
    expect(steal.status).toBe(404);
    expect((await me(pat.token)).status).toBe(200);
  });

  it('requires the CSRF token for cookie-authenticated mutations', async () => {
    const res = await req('/auth/login/dev', {
      method: 'POST',
      body: JSON.stringify({ email: 'cookie@example.com' }),
    });
    const cookies = res.headers.getSetCookie().map((c) => c.split(';')[0]!);
    const jar = cookies.join('; ');
    const csrf = cookies.find((c) => c.startsWith('hxb_csrf='))!.slice('hxb_csrf='.length);
    const body = JSON.stringify({ name: 'from-browser' });
    const without = await req('/auth/tokens', { method: 'POST', body, headers: { cookie: jar } });
    expect(without.status).toBe(403);
    expect((await json(without)).code).toBe('CSRF_FAILED');
    const withToken = await req('/auth/tokens', {
      method: 'POST',
      body,
      headers: { cookie: jar, 'x-csrf-token': csrf },
    });
    expect(withToken.status).toBe(201);
    // Reads need no CSRF token.
    expect((await req('/auth/me', { headers: { cookie: jar } })).status).toBe(200);
  });

  it('rate-limits token creation per user with 429 and Retry-After', async () => {
    await freshWindow();
    const s = await login('busy@example.com');
    const statuses: number[] = [];
    let last: Response | undefined;
    for (let i = 0; i < 12; i++) {
      last = await req('/auth/tokens', {
        method: 'POST',
        token: s.accessToken,
        body: JSON.stringify({ name: `t${i}` }),
      });
      statuses.push(last.status);
    }
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(10);
    expect(statuses).toContain(429);
    expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('rate-limits sign-in attempts per client address', async () => {
    await freshWindow();
    const from = { 'x-forwarded-for': '192.0.2.77', 'content-type': 'application/json' };
    const statuses: number[] = [];
    for (let i = 0; i < 32; i++) {
      const res = await app().request('/auth/login/dev', {
        method: 'POST',
        body: JSON.stringify({ email: `flood${i}@example.com` }),
        headers: from,
      });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(30)).toEqual([429, 429]);
  });

  it('hides dev login when it is off', async () => {
    const off = createAuthApp(
      { ...platform(), auth: { ...platform().auth, devLogin: false } },
      { log: platform().log },
    );
    const res = await off.request('/auth/login/dev', {
      method: 'POST',
      body: JSON.stringify({ email: 'x@example.com' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(404);
  });
});

describe('with Redis down', () => {
  // Port 1 refuses connections: the cache is configured but unavailable.
  const platform = usePlatform({ REDIS_URL: 'redis://127.0.0.1:1', HEXABASE_DEV_LOGIN: 'true' });
  const app = () => createAuthApp(platform(), { log: platform().log });

  it('still signs in, authenticates and revokes correctly (PostgreSQL decides)', async () => {
    const res = await app().request('/auth/login/dev', {
      method: 'POST',
      body: JSON.stringify({ email: 'noredis@example.com' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(200);
    const s = await json(res);
    const auth = { authorization: `Bearer ${s.accessToken}` };
    expect((await app().request('/auth/me', { headers: auth })).status).toBe(200);
    expect((await app().request('/auth/logout', { method: 'POST', headers: auth })).status).toBe(204);
    expect((await app().request('/auth/me', { headers: auth })).status).toBe(401);
  });

  it('answers 503, not 500, when a sign-in needs the state store', async () => {
    const withProvider = createAuthApp(
      {
        ...platform(),
        auth: {
          ...platform().auth,
          providers: new Map([
            [
              'x',
              {
                id: 'x',
                name: 'X',
                type: 'oidc' as const,
                authorizationUrl: async () => new URL('https://idp.invalid/auth'),
                complete: async () => {
                  throw new Error('unreachable');
                },
              },
            ],
          ]),
        },
      },
      { log: platform().log },
    );
    const res = await withProvider.request('/auth/login/x');
    expect(res.status).toBe(503);
    expect((await json(res)).code).toBe('SERVICE_UNAVAILABLE');
  });
});
