import { count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, sessions } from '../../../shared/db/schema';
import { type Json, json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { createAuthApp } from '../app';

const GRACE_SECONDS = 30;

describe('refresh-token rotation with a reuse grace window', () => {
  // Generous, so that a loaded machine cannot push a race out of it; leaving it is tested with a later clock.
  const platform = usePlatform({
    HEXABASE_TRUST_PROXY: 'true',
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_REFRESH_REUSE_GRACE_SECONDS: String(GRACE_SECONDS),
  });
  /** The auth function, optionally in a process whose clock is `shiftMs` ahead (same database). */
  const app = (shiftMs = 0) => {
    const p = platform();
    if (shiftMs === 0) return createAuthApp(p, { log: p.log });
    const now = () => new Date(Date.now() + shiftMs);
    return createAuthApp({ ...p, auth: { ...p.auth, auth: { ...p.auth.auth, now } } }, { log: p.log });
  };
  let ip = 0;
  const from = () => ({ 'x-forwarded-for': `203.0.113.${(ip++ % 250) + 1}` });
  const login = async (email: string): Promise<Json> => {
    const res = await app().request('/auth/login/dev', {
      method: 'POST',
      headers: { ...from(), 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    expect(res.status).toBe(200);
    return json(res);
  };
  const refresh = (refreshToken: string, a = app()) =>
    a.request('/auth/refresh', {
      method: 'POST',
      headers: { ...from(), 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken }),
    });
  const me = (accessToken: string, a = app()) =>
    a.request('/auth/me', { headers: { authorization: `Bearer ${accessToken}` } });
  const sessionOf = async (accessToken: string) => {
    const sid = JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString()).sid as string;
    const [row] = await platform().db.select().from(sessions).where(eq(sessions.id, sid));
    return row!;
  };

  it.each([2, 10])(
    'answers %i concurrent refreshes of one token with the same successor, and keeps the session',
    async (n) => {
      const s = await login(`race${n}@example.com`);
      const answers = await Promise.all(Array.from({ length: n }, () => refresh(s.refreshToken)));
      expect(answers.map((r) => r.status)).toEqual(Array(n).fill(200));
      const pairs = await Promise.all(answers.map(json));
      const successors = new Set(pairs.map((p) => p.refreshToken));
      expect(successors.size).toBe(1);
      expect(successors.has(s.refreshToken)).toBe(false);
      // Access tokens are signed afresh for each answer, all for the same, living session.
      for (const p of pairs) expect((await me(p.accessToken)).status).toBe(200);
      expect((await sessionOf(s.accessToken)).revokedAt).toBeNull();

      const next = await refresh(pairs[0].refreshToken);
      expect(next.status).toBe(200);
      const after = await json(next);
      expect(successors.has(after.refreshToken)).toBe(false);
      expect((await me(after.accessToken)).status).toBe(200);
    },
  );

  it('answers racing browser tabs (refresh cookie) with the same cookies', async () => {
    const s = await login('tabs@example.com');
    const tab = () =>
      app().request('/auth/refresh', {
        method: 'POST',
        headers: { ...from(), cookie: `hxb_rt=${s.refreshToken}` },
      });
    const [a, b] = await Promise.all([tab(), tab()]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const cookie = (res: Response, name: string) =>
      res.headers
        .getSetCookie()
        .find((c) => c.startsWith(`${name}=`))!
        .split(';')[0];
    expect(cookie(a, 'hxb_rt')).toBe(cookie(b, 'hxb_rt'));
    expect(cookie(a, 'hxb_rt')).not.toBe(`hxb_rt=${s.refreshToken}`);
    expect(cookie(a, 'hxb_csrf')).toBe(cookie(b, 'hxb_csrf'));
  });

  it('revokes the session everywhere when a spent token comes back after the window (401)', async () => {
    const s = await login('late@example.com');
    const rotated = await json(await refresh(s.refreshToken));
    const later = app((GRACE_SECONDS + 1) * 1000);
    const reuse = await refresh(s.refreshToken, later);
    expect(reuse.status).toBe(401);
    expect((await json(reuse)).code).toBe('REFRESH_TOKEN_REUSED');
    const row = await sessionOf(s.accessToken);
    expect(row.revokedAt).not.toBeNull();
    expect(row.revokedReason).toBe('refresh_token_reuse');
    // Every token of the session dies, in every process (another app instance on the same database).
    expect((await me(rotated.accessToken, app())).status).toBe(401);
    expect((await me(rotated.accessToken, later)).status).toBe(401);
    expect((await refresh(rotated.refreshToken)).status).toBe(401);
    const [audited] = await platform()
      .db.select({ n: count() })
      .from(auditLog)
      .where(eq(auditLog.targetId, row.id));
    expect(audited!.n).toBeGreaterThanOrEqual(1);
  });

  it('treats a spent token as stolen once its successor was used too, even inside the window (401)', async () => {
    const s = await login('chain@example.com');
    const first = await json(await refresh(s.refreshToken));
    const second = await refresh(first.refreshToken);
    expect(second.status).toBe(200);
    const replay = await refresh(s.refreshToken);
    expect(replay.status).toBe(401);
    expect((await json(replay)).code).toBe('REFRESH_TOKEN_REUSED');
    expect((await me((await json(second)).accessToken)).status).toBe(401);
  });

  it('never answers a refresh token it did not issue, nor one of a signed-out session (401)', async () => {
    const forged = await refresh(`hxb_rt_${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
    expect((await json(forged)).code).toBe('INVALID_REFRESH_TOKEN');
    const s = await login('out@example.com');
    const rotated = await json(await refresh(s.refreshToken));
    const out = await app().request('/auth/logout', {
      method: 'POST',
      headers: { authorization: `Bearer ${rotated.accessToken}` },
    });
    expect(out.status).toBe(204);
    // Inside the window, but the session has ended: no successor is handed out.
    expect((await refresh(s.refreshToken)).status).toBe(401);
  });
});
