import { describe, expect, it } from 'vitest';
import { signedInUser, teamOrganization } from '../../../shared/testing/fixtures';
import { json } from '../../../shared/testing/http';
import { ORIGIN, useBilling } from '../../billing-testing';

/**
 * The authorization matrix runs with billing off; here billing is on (stripe-mock behind the test world), and the
 * same callers get the same answers before anything reaches Stripe: only org admins pass.
 */
describe('billing routes with billing on: who may call them', () => {
  const b = useBilling();
  const routes = (orgId: string, wsId: string) => [
    { method: 'GET', path: `/api/v1/organizations/${orgId}/billing`, ok: 200 },
    {
      method: 'POST',
      path: `/api/v1/organizations/${orgId}/billing/checkout-session`,
      ok: 200,
      body: { returnUrl: `${ORIGIN}/orgs` },
    },
    {
      method: 'POST',
      path: `/api/v1/organizations/${orgId}/billing/portal-session`,
      ok: 200,
      body: { returnUrl: `${ORIGIN}/orgs` },
    },
    { method: 'GET', path: `/api/v1/organizations/${orgId}/billing/invoices`, ok: 200 },
    {
      method: 'GET',
      path: `/api/v1/organizations/${orgId}/billing/preview?workspaceId=${wsId}&planId=standard`,
      ok: 200,
    },
  ];

  it('answers 401 to anonymous callers, 404 to outsiders, 403 to members and serves org admins', async () => {
    const team = await teamOrganization(b.platform());
    const outsider = await signedInUser(b.platform());
    const ws = await json(
      await b.api(`/api/v1/organizations/${team.orgId}/workspaces`, {
        method: 'POST',
        token: team.admin.token,
        body: JSON.stringify({ name: 'matrix', planId: 'free' }),
      }),
    );
    const callers = [
      { who: 'anonymous', token: undefined, status: 401 },
      { who: 'outsider', token: outsider.token, status: 404 },
      { who: 'member', token: team.member.token, status: 403 },
    ];
    for (const r of routes(team.orgId, ws.workspaceId)) {
      const init = (token?: string) => ({
        method: r.method,
        ...(token ? { token } : {}),
        ...(r.body ? { body: JSON.stringify(r.body) } : {}),
      });
      b.world().reset();
      for (const c of callers) {
        const res = await b.api(r.path, init(c.token));
        expect(`${c.who} ${r.method} ${r.path} → ${res.status}`).toBe(
          `${c.who} ${r.method} ${r.path} → ${c.status}`,
        );
      }
      // Nobody but the admin made Stripe do anything.
      expect(b.world().requests).toEqual([]);
      const admin = await b.api(r.path, init(team.admin.token));
      expect(`admin ${r.method} ${r.path} → ${admin.status}`).toBe(`admin ${r.method} ${r.path} → ${r.ok}`);
    }
  });
});
