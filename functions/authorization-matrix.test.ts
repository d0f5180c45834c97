import { describe, expect, it } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import { matrixFixture } from '../shared/testing/fixtures';
import { usePlatform } from '../shared/testing/platform';
import { functionRegistry } from './registry';

/**
 * Caller kinds: anonymous; a user of another organization; an org member outside the workspace; a workspace user
 * (WSUsers); a workspace admin (WSAdmins, org role member); an org admin who is not in the workspace.
 */
const WHO = ['anonymous', 'outsider', 'member', 'wsUser', 'wsAdmin', 'orgAdmin'] as const;
type Fixture = Awaited<ReturnType<typeof matrixFixture>>;
type Codes = [number, number, number, number, number, number];
type Row = {
  expect: Codes;
  body?: (f: Fixture) => unknown;
  form?: (token: string | undefined, f: Fixture) => Record<string, string>;
  /** Form routes take the caller's token in the form unless this says it goes in the Authorization header. */
  formWithBearer?: boolean;
  query?: string | ((f: Fixture) => string);
};

const all = (s: number): Codes => [s, s, s, s, s, s];
const signedIn = (s: number): Codes => [401, s, s, s, s, s];
/** Organization routes: workspace users and admins are plain org members there. */
const org = (anon: number, outsider: number, member: number, admin: number): Codes => [
  anon,
  outsider,
  member,
  member,
  member,
  admin,
];
/** Workspace routes: read by members (and org admins), managed by workspace admins. */
const wsRead: Codes = [401, 404, 404, 200, 200, 200];
const wsManage = (ok: number): Codes => [401, 404, 404, 403, ok, 403];
const rand = () => Math.random().toString(36).slice(2, 8);
const cliParams = new URLSearchParams({
  redirectUri: 'http://127.0.0.1:9/cb',
  state: 'matrix-state-0123456789',
  codeChallenge: 'c'.repeat(43),
}).toString();

/** A route without a row fails the test: no route ships without deciding who may call it. */
const MATRIX: Record<string, Row> = {
  'GET /api/v1/plans': { expect: all(200) },
  'GET /api/v1/openapi.json': { expect: all(200) },
  'GET /api/v1/docs': { expect: all(200) },
  'GET /auth/providers': { expect: all(200) },
  'POST /auth/login/dev': { expect: all(200), body: () => ({ email: `dev-${rand()}@example.com` }) },
  'GET /auth/login/{provider}': { expect: all(404) },
  'POST /auth/login/{provider}': { expect: all(404), body: () => ({}) },
  'GET /auth/callback/{provider}': { expect: all(404) },
  'POST /auth/refresh': { expect: all(401), body: () => ({}) },
  'POST /auth/logout': { expect: signedIn(204) },
  'GET /auth/me': { expect: signedIn(200) },
  'POST /auth/tokens': { expect: signedIn(201), body: () => ({ name: 'matrix' }) },
  'GET /auth/tokens': { expect: signedIn(200) },
  'DELETE /auth/tokens/{id}': { expect: org(401, 404, 404, 204) },
  // Signed out: the sign-in page; signed in: the consent page.
  'GET /auth/cli/authorize': { expect: all(200), query: `?${cliParams}` },
  'POST /auth/cli/authorize': {
    expect: signedIn(303),
    form: () => ({ ...Object.fromEntries(new URLSearchParams(cliParams)), decision: 'allow' }),
    formWithBearer: true,
  },
  'POST /auth/cli/token': {
    expect: all(400),
    body: () => ({
      code: 'never-issued',
      codeVerifier: 'v'.repeat(43),
      redirectUri: 'http://127.0.0.1:9/cb',
    }),
  },
  'POST /api/v1/organizations': { expect: signedIn(201), body: () => ({ name: 'New org' }) },
  'GET /api/v1/organizations': { expect: signedIn(200) },
  'GET /api/v1/organizations/{orgId}': { expect: org(401, 404, 200, 200) },
  'PATCH /api/v1/organizations/{orgId}': {
    expect: org(401, 404, 403, 200),
    body: () => ({ name: 'Renamed' }),
  },
  // The fixture organization has a workspace, so even its admin cannot delete it.
  'DELETE /api/v1/organizations/{orgId}': { expect: org(401, 404, 403, 409) },
  'GET /api/v1/organizations/{orgId}/users': { expect: org(401, 404, 200, 200) },
  'POST /api/v1/organizations/{orgId}/users': {
    expect: org(401, 404, 403, 201),
    body: () => ({ email: `new-${rand()}@example.com`, role: 'member' }),
  },
  'PATCH /api/v1/organizations/{orgId}/users/{userId}': {
    expect: org(401, 404, 403, 200),
    body: () => ({ role: 'admin' }),
  },
  'DELETE /api/v1/organizations/{orgId}/users/{userId}': { expect: org(401, 404, 403, 204) },
  'DELETE /api/v1/organizations/{orgId}/invitations/{invitationId}': { expect: org(401, 404, 403, 204) },
  'GET /api/v1/organizations/{orgId}/audit-log': { expect: org(401, 404, 403, 200) },
  'GET /api/v1/invitations': { expect: signedIn(200) },
  // The open invitation is for someone else: nobody here may see or use it.
  'POST /api/v1/invitations/accept': { expect: signedIn(404), body: (f) => ({ token: f.inviteToken }) },
  'POST /api/v1/invitations/{invitationId}/accept': { expect: signedIn(404) },
  'POST /api/v1/invitations/{invitationId}/decline': { expect: signedIn(404) },
  // The emailed link's page: signed out, the sign-in choice; signed in with another address, a 403 page.
  'GET /invitations/accept': {
    expect: [200, 403, 403, 403, 403, 403],
    query: (f) => `?token=${f.inviteToken}`,
  },
  'POST /invitations/accept': {
    expect: [401, 403, 403, 403, 403, 403],
    form: (_token, f) => ({ token: f.inviteToken, decision: 'accept' }),
    formWithBearer: true,
  },

  'POST /api/v1/organizations/{orgId}/workspaces': {
    expect: [401, 404, 403, 403, 403, 202],
    body: () => ({ name: `ws-${rand()}`, planId: 'free' }),
  },
  'GET /api/v1/organizations/{orgId}/workspaces': { expect: org(401, 404, 200, 200) },
  'GET /api/v1/organizations/{orgId}/workspaces/{wsId}': { expect: wsRead },
  'PUT /api/v1/organizations/{orgId}/workspaces/{wsId}': {
    expect: [401, 404, 404, 403, 403, 202],
    body: () => ({ planId: 'free' }),
  },
  'DELETE /api/v1/organizations/{orgId}/workspaces/{wsId}': { expect: [401, 404, 404, 403, 403, 202] },
  // Members only; the fixture workspace is not provisioned yet, so members learn that (409).
  'GET /api/v1/organizations/{orgId}/workspaces/{wsId}/kubeconfig': {
    expect: [401, 404, 404, 409, 409, 403],
  },
  // Tasks: whoever started it (the org admin created the workspace) and org admins.
  'GET /api/v1/tasks/{taskId}': { expect: [401, 404, 404, 404, 404, 200] },
  'GET /api/v1/workspaces/{wsId}/members': { expect: wsRead },
  'POST /api/v1/workspaces/{wsId}/members': {
    expect: [401, 404, 404, 403, 201, 201],
    body: (f) => ({ userId: f.member.userId }),
  },
  'DELETE /api/v1/workspaces/{wsId}/members/{userId}': { expect: [401, 404, 404, 403, 204, 204] },
  'GET /api/v1/workspaces/{wsId}/groups': { expect: wsRead },
  'GET /api/v1/workspaces/{wsId}/usage': { expect: wsRead },
  'POST /api/v1/workspaces/{wsId}/groups': { expect: wsManage(201), body: () => ({ name: `g-${rand()}` }) },
  'GET /api/v1/workspaces/{wsId}/groups/{groupId}': { expect: wsRead },
  'PATCH /api/v1/workspaces/{wsId}/groups/{groupId}': {
    expect: wsManage(200),
    body: () => ({ name: `r-${rand()}` }),
  },
  'DELETE /api/v1/workspaces/{wsId}/groups/{groupId}': { expect: wsManage(204) },
  'GET /api/v1/workspaces/{wsId}/groups/{groupId}/members': { expect: wsRead },
  'POST /api/v1/workspaces/{wsId}/groups/{groupId}/members': {
    expect: wsManage(201),
    body: (f) => ({ userId: f.wsAdmin.userId }),
  },
  'DELETE /api/v1/workspaces/{wsId}/groups/{groupId}/members/{userId}': { expect: wsManage(204) },
  'GET /api/v1/workspaces/{wsId}/clusterroleassignments': { expect: wsRead },
  'POST /api/v1/workspaces/{wsId}/clusterroleassignments': {
    expect: wsManage(201),
    body: (f) => ({ groupId: f.groupId, clusterRoleName: 'hexabase:workspace-admin' }),
  },
  'DELETE /api/v1/workspaces/{wsId}/clusterroleassignments/{assignmentId}': { expect: wsManage(204) },
  'GET /api/v1/workspaces/{wsId}/projects': { expect: wsRead },
  'POST /api/v1/workspaces/{wsId}/projects': { expect: wsManage(201), body: () => ({ name: `p-${rand()}` }) },
  'GET /api/v1/workspaces/{wsId}/projects/{projectId}': { expect: wsRead },
  'DELETE /api/v1/workspaces/{wsId}/projects/{projectId}': { expect: wsManage(204) },
  'GET /api/v1/projects/{projectId}/roles': { expect: wsRead },
  'POST /api/v1/projects/{projectId}/roles': {
    expect: wsManage(201),
    body: () => ({ name: `r-${rand()}`, rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['list'] }] }),
  },
  'GET /api/v1/projects/{projectId}/roles/{roleId}': { expect: wsRead },
  'PUT /api/v1/projects/{projectId}/roles/{roleId}': {
    expect: wsManage(200),
    body: () => ({ rules: [{ apiGroups: ['apps'], resources: ['deployments'], verbs: ['get'] }] }),
  },
  'DELETE /api/v1/projects/{projectId}/roles/{roleId}': { expect: wsManage(204) },
  'GET /api/v1/projects/{projectId}/roleassignments': { expect: wsRead },
  'POST /api/v1/projects/{projectId}/roleassignments': {
    expect: wsManage(201),
    body: (f) => ({ groupId: f.groupId, roleId: 'hexabase:project-viewer' }),
  },
  'DELETE /api/v1/projects/{projectId}/roleassignments/{assignmentId}': { expect: wsManage(204) },
  // Billing is off here (no STRIPE_SECRET_KEY): admins read `enabled: false`, and the Stripe actions answer 409
  // BILLING_DISABLED, after the same authorization as with billing on (functions/billing/routes/billing.test.ts).
  'GET /api/v1/organizations/{orgId}/billing': { expect: org(401, 404, 403, 200) },
  'POST /api/v1/organizations/{orgId}/billing/checkout-session': {
    expect: org(401, 404, 403, 409),
    body: () => ({ returnUrl: 'http://localhost:8080/orgs' }),
  },
  'POST /api/v1/organizations/{orgId}/billing/portal-session': {
    expect: org(401, 404, 403, 409),
    body: () => ({ returnUrl: 'http://localhost:8080/orgs' }),
  },
  'GET /api/v1/organizations/{orgId}/billing/invoices': { expect: org(401, 404, 403, 409) },
  'GET /api/v1/organizations/{orgId}/billing/preview': {
    expect: org(401, 404, 403, 409),
    query: (f) => `?workspaceId=${f.wsId}&planId=standard`,
  },
  // Stripe signs, nobody signs in: without STRIPE_WEBHOOK_SECRET every delivery is a bad signature.
  'POST /webhooks/stripe': { expect: all(400), body: () => ({ id: 'evt_1', type: 'invoice.paid' }) },
  'GET /oidc/{wsId}/.well-known/openid-configuration': { expect: all(200) },
  'GET /oidc/{wsId}/keys': { expect: all(200) },
  // Token exchange: the caller's own token is the subject token; only workspace members get an ID token.
  'POST /oidc/{wsId}/token': {
    expect: [400, 403, 403, 200, 200, 403],
    form: (token) => ({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      ...(token ? { subject_token: token } : {}),
    }),
  },
};

const operations = Object.values(functionRegistry).flatMap((f) =>
  f.operations.map((op) => `${op.route.method.toUpperCase()} ${op.route.path}`),
);

function fill(template: string, f: Fixture): string {
  const userId = template.startsWith('/api/v1/organizations/') ? f.member.userId : f.wsUser.userId;
  const assignmentId = template.includes('clusterroleassignments')
    ? f.clusterRoleAssignmentId
    : f.roleAssignmentId;
  return template
    .replace('{orgId}', f.orgId)
    .replace('{wsId}', f.wsId)
    .replace('{userId}', userId)
    .replace('{invitationId}', f.invitation.id)
    .replace('{id}', f.patId)
    .replace('{taskId}', f.taskId)
    .replace('{groupId}', f.groupId)
    .replace('{projectId}', f.projectId)
    .replace('{roleId}', f.roleId)
    .replace('{assignmentId}', assignmentId)
    .replace('{provider}', 'nope');
}

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
    const token = {
      anonymous: undefined,
      outsider: f.outsider.token,
      member: f.member.token,
      wsUser: f.wsUser.token,
      wsAdmin: f.wsAdmin.token,
      orgAdmin: f.admin.token,
    }[who];
    const headers: Record<string, string> = {
      'x-forwarded-for': `198.18.${Math.floor(Math.random() * 250)}.${i + 1}`,
    };
    if (token && (!row.form || row.formWithBearer)) headers.authorization = `Bearer ${token}`;
    const form = row.form?.(token, f);
    const body = form
      ? new URLSearchParams(form).toString()
      : row.body
        ? JSON.stringify(row.body(f))
        : undefined;
    if (body !== undefined)
      headers['content-type'] = form ? 'application/x-www-form-urlencoded' : 'application/json';
    const { fetch } = createLocalServer(p);
    const res = await fetch(
      new Request(
        `http://localhost${fill(template, f)}${typeof row.query === 'function' ? row.query(f) : (row.query ?? '')}`,
        {
          method,
          headers,
          ...(body !== undefined ? { body } : {}),
        },
      ),
    );
    expect(res.status, `${op} as ${who}: ${await res.clone().text()}`).toBe(row.expect[i]);
  });
});
