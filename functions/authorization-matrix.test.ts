import { describe, expect, it } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import { matrixFixture } from '../shared/testing/fixtures';
import { usePlatform } from '../shared/testing/platform';
import { functionRegistry } from './registry';

type Who = 'anonymous' | 'outsider' | 'member' | 'admin';
type Fixture = Awaited<ReturnType<typeof matrixFixture>>;
type Row = {
  expect: [anonymous: number, outsider: number, member: number, admin: number];
  body?: (f: Fixture) => unknown;
};

const all = (s: number): Row['expect'] => [s, s, s, s];
const signedIn = (s: number): Row['expect'] => [401, s, s, s];

/**
 * Expected status of every route for each kind of caller. A route without a row fails the test, so a new route
 * cannot ship without deciding who may call it. `outsider` is signed in but a member of another organization.
 */
const MATRIX: Record<string, Row> = {
  'GET /api/v1/plans': { expect: all(200) },
  'GET /api/v1/openapi.json': { expect: all(200) },
  'GET /api/v1/docs': { expect: all(200) },
  'GET /auth/providers': { expect: all(200) },
  'POST /auth/login/dev': { expect: all(200), body: () => ({ email: `dev-${Math.random()}@example.com` }) },
  'GET /auth/login/{provider}': { expect: all(404) },
  'POST /auth/login/{provider}': { expect: all(404), body: () => ({}) },
  'GET /auth/callback/{provider}': { expect: all(404) },
  'POST /auth/refresh': { expect: all(401), body: () => ({}) },
  'POST /auth/logout': { expect: signedIn(204) },
  'GET /auth/me': { expect: signedIn(200) },
  'POST /auth/tokens': { expect: signedIn(201), body: () => ({ name: 'matrix' }) },
  'GET /auth/tokens': { expect: signedIn(200) },
  'DELETE /auth/tokens/{id}': { expect: [401, 404, 404, 204] },
  'POST /api/v1/organizations': { expect: signedIn(201), body: () => ({ name: 'New org' }) },
  'GET /api/v1/organizations': { expect: signedIn(200) },
  'GET /api/v1/organizations/{orgId}': { expect: [401, 404, 200, 200] },
  'PATCH /api/v1/organizations/{orgId}': { expect: [401, 404, 403, 200], body: () => ({ name: 'Renamed' }) },
  'DELETE /api/v1/organizations/{orgId}': { expect: [401, 404, 403, 204] },
  'GET /api/v1/organizations/{orgId}/users': { expect: [401, 404, 200, 200] },
  'POST /api/v1/organizations/{orgId}/users': {
    expect: [401, 404, 403, 201],
    body: () => ({ email: `new-${Math.random()}@example.com`, role: 'member' }),
  },
  'PATCH /api/v1/organizations/{orgId}/users/{userId}': {
    expect: [401, 404, 403, 200],
    body: () => ({ role: 'admin' }),
  },
  'DELETE /api/v1/organizations/{orgId}/users/{userId}': { expect: [401, 404, 403, 204] },
  'DELETE /api/v1/organizations/{orgId}/invitations/{invitationId}': { expect: [401, 404, 403, 204] },
  'GET /api/v1/organizations/{orgId}/audit-log': { expect: [401, 404, 403, 200] },
  'GET /api/v1/invitations': { expect: signedIn(200) },
  // The open invitation is for someone else: nobody here may see or use it.
  'POST /api/v1/invitations/accept': { expect: signedIn(404), body: (f) => ({ token: f.inviteToken }) },
  'POST /api/v1/invitations/{invitationId}/accept': { expect: signedIn(404) },
  'POST /api/v1/invitations/{invitationId}/decline': { expect: signedIn(404) },
};

const WHO: Who[] = ['anonymous', 'outsider', 'member', 'admin'];

const operations = Object.values(functionRegistry).flatMap((f) =>
  f.operations.map((op) => `${op.route.method.toUpperCase()} ${op.route.path}`),
);

describe('authorization matrix (every route × every kind of caller)', () => {
  const platform = usePlatform({ HEXABASE_DEV_LOGIN: 'true', HEXABASE_TRUST_PROXY: 'true' });

  it('has an expectation for every route, and no expectation for a route that does not exist', () => {
    for (const op of operations) expect(MATRIX[op], `add ${op} to the authorization matrix`).toBeDefined();
    for (const key of Object.keys(MATRIX)) expect(operations, `stale matrix row ${key}`).toContain(key);
  });

  const cells = operations.flatMap((op) => WHO.map((who, i) => [op, who, i] as const));
  it.each(cells)('%s as %s', async (op, who, i) => {
    const row = MATRIX[op];
    if (!row) return; // reported by the completeness test above
    const p = platform();
    const f = await matrixFixture(p);
    const [method, template] = op.split(' ') as [string, string];
    const path = template
      .replace('{orgId}', f.orgId)
      .replace('{userId}', f.member.userId)
      .replace('{invitationId}', f.invitation.id)
      .replace('{id}', f.patId)
      .replace('{provider}', 'nope');
    const token = {
      anonymous: undefined,
      outsider: f.outsider.token,
      member: f.member.token,
      admin: f.admin.token,
    }[who];
    const headers: Record<string, string> = {
      'x-forwarded-for': `198.18.${Math.floor(Math.random() * 250)}.${i + 1}`,
    };
    if (token) headers.authorization = `Bearer ${token}`;
    const body = row.body?.(f);
    if (body !== undefined) headers['content-type'] = 'application/json';
    const { fetch } = createLocalServer(p);
    const res = await fetch(
      new Request(`http://localhost${path}`, {
        method,
        headers,
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      }),
    );
    expect(res.status, `${op} as ${who}: ${await res.clone().text()}`).toBe(row.expect[i]);
  });
});
