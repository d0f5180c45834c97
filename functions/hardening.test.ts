import { count } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import { auditLog, groups, organizations, outbox, personalAccessTokens, projects } from '../shared/db/schema';
import { matrixFixture } from '../shared/testing/fixtures';
import { json } from '../shared/testing/http';
import { usePlatform } from '../shared/testing/platform';

/**
 * Regression tests for what an outside probe found: each root cause answered 500 (and some wrote half a change).
 * Every request goes through the route table, as the ingress sends it. The fuzz suite generalises these.
 */
describe('hostile input never reaches the database unchecked', () => {
  const platform = usePlatform();
  let f: Awaited<ReturnType<typeof matrixFixture>>;
  let server: ReturnType<typeof createLocalServer>;
  beforeAll(async () => {
    f = await matrixFixture(platform());
    server = createLocalServer(platform());
  });
  const send = (path: string, init: RequestInit & { token?: string } = {}) =>
    server.fetch(
      new Request(`http://localhost${path}`, {
        ...init,
        headers: {
          ...(init.token ? { authorization: `Bearer ${init.token}` } : {}),
          ...(init.body ? { 'content-type': 'application/json' } : {}),
          ...(init.headers as Record<string, string>),
        },
      }),
    );
  /** Rows of the tables a rejected request could touch: none may change. */
  const fingerprint = async () =>
    Promise.all(
      [organizations, groups, projects, personalAccessTokens, auditLog, outbox].map(
        async (t) => (await platform().db.select({ n: count() }).from(t))[0]!.n,
      ),
    );
  const expectProblem = async (res: Response, statuses: number[]) => {
    expect(statuses).toContain(res.status);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
    return json(res);
  };

  it('answers 400 or 404, never 500, to a NUL byte in a path id, authenticated or not', async () => {
    for (const path of [
      '/oidc/ws-%00/keys',
      '/oidc/ws-%00/.well-known/openid-configuration',
      `/api/v1/organizations/org-%00`,
      `/api/v1/organizations/${f.orgId}/workspaces/ws-%00`,
      `/api/v1/workspaces/ws-%00/groups`,
      `/api/v1/projects/prj-%00/roles`,
      `/api/v1/tasks/task-%00`,
    ]) {
      await expectProblem(await send(path), [400, 404]);
      await expectProblem(await send(path, { token: f.admin.token }), [400, 404]);
    }
  });

  it('answers 404 to a path id that is not of its kind, before any query', async () => {
    for (const path of [
      '/oidc/nope/keys',
      `/api/v1/organizations/${f.orgId}/workspaces/${f.projectId}`,
      '/api/v1/organizations/org-UPPERCASE',
      `/api/v1/workspaces/${f.wsId}/groups/${'g'.repeat(5000)}`,
    ]) {
      const problem = await expectProblem(await send(path, { token: f.admin.token }), [404]);
      expect(problem.code).toMatch(/NOT_FOUND$/);
    }
  });

  it('refuses NUL and lone surrogates in JSON strings with 400 and writes nothing', async () => {
    const before = await fingerprint();
    const cases: [string, string, unknown][] = [
      ['POST', '/api/v1/organizations', { name: 'a\u0000b' }],
      ['POST', '/api/v1/organizations', { name: 'a\ud800b' }],
      ['PATCH', `/api/v1/organizations/${f.orgId}`, { name: '\udc00' }],
      ['POST', '/auth/tokens', { name: 'x\ud800' }],
      ['POST', `/api/v1/organizations/${f.orgId}/workspaces`, { name: 'w', planId: 'free\u0000' }],
      ['POST', `/api/v1/workspaces/${f.wsId}/members`, { userId: `${f.wsUser.userId}\u0000` }],
      ['POST', `/api/v1/workspaces/${f.wsId}/groups`, { name: 'g', parentId: 'grp-\u0000' }],
      ['POST', `/api/v1/projects/${f.projectId}/roleassignments`, { groupId: f.groupId, roleId: 'x\u0000' }],
      ['POST', '/api/v1/organizations', { 'key\u0000': 1, name: 'ok' }],
    ];
    for (const [method, path, body] of cases) {
      const problem = await expectProblem(
        await send(path, { method, body: JSON.stringify(body), token: f.wsAdmin.token }),
        [400],
      );
      expect(problem.code).toBe('VALIDATION_FAILED');
    }
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses an empty parentId on groups and projects with 400 and writes nothing', async () => {
    const before = await fingerprint();
    for (const path of [`/api/v1/workspaces/${f.wsId}/groups`, `/api/v1/workspaces/${f.wsId}/projects`])
      await expectProblem(
        await send(path, {
          method: 'POST',
          body: JSON.stringify({ name: 'child', parentId: '' }),
          token: f.wsAdmin.token,
        }),
        [400],
      );
    expect(await fingerprint()).toEqual(before);
  });

  it('refuses a well-formed cursor with the wrong content on every paged list (400 INVALID_CURSOR)', async () => {
    const cursor = Buffer.from(JSON.stringify(['x', 'y'])).toString('base64url');
    const nul = Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'usr-\u0000'])).toString('base64url');
    const year0 = Buffer.from(JSON.stringify(['0000-01-01T00:00:00Z', 'org-a'])).toString('base64url');
    for (const path of [
      '/api/v1/organizations',
      `/api/v1/organizations/${f.orgId}/users`,
      `/api/v1/organizations/${f.orgId}/workspaces`,
      `/api/v1/organizations/${f.orgId}/audit-log`,
      `/api/v1/workspaces/${f.wsId}/members`,
      '/auth/tokens',
      '/api/v1/plans',
    ])
      for (const c of [cursor, nul, year0]) {
        const problem = await expectProblem(
          await send(`${path}?cursor=${c}`, { token: f.admin.token }),
          [400],
        );
        expect(problem.code).toBe('INVALID_CURSOR');
      }
  });

  it('refuses audit-log filters PostgreSQL cannot take: year 0, a NUL in the actor', async () => {
    for (const query of [
      'since=0000-01-01T00:00:00Z',
      'until=10000-01-01T00:00:00Z',
      'actor=usr-%00',
      'actor=x',
    ])
      await expectProblem(
        await send(`/api/v1/organizations/${f.orgId}/audit-log?${query}`, { token: f.admin.token }),
        [400],
      );
    const ok = await send(`/api/v1/organizations/${f.orgId}/audit-log?since=0001-01-01T00:00:00Z`, {
      token: f.admin.token,
    });
    expect(ok.status).toBe(200);
  });

  it('refuses a NUL in any query parameter or form field', async () => {
    await expectProblem(await send('/api/v1/plans?limit=1%00'), [400]);
    await expectProblem(await send('/auth/providers?x%00=1'), [400]);
    const form = await send('/auth/login/dev', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'email=a%00%40example.com&name=A',
    });
    await expectProblem(form, [400]);
  });

  it('sends nosniff and a referrer policy on every response, errors included', async () => {
    for (const res of [
      await send('/api/v1/plans'),
      await send('/nowhere'),
      await send('/api/v1/organizations'),
    ]) {
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    }
  });
});
