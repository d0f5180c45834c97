import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../../scripts/local-server';
import { invitations, organizationMembers } from '../../../shared/db/schema';
import { cancelInvitation, createInvitation } from '../../../shared/orgs/invitations';
import { createOrganization } from '../../../shared/orgs/organizations';
import { createBrowser, hiddenFields } from '../../../shared/testing/browser';
import { signedInUser } from '../../../shared/testing/fixtures';
import { json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';

const ORIGIN = 'http://localhost:8080';
const uniq = () => randomBytes(4).toString('hex');

describe('the invitation page (GET/POST /invitations/accept)', () => {
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
  const signedIn = async (email: string) => {
    const b = browser();
    expect((await b.submit('/auth/login/dev', { email, returnTo: '/' })).status).toBe(303);
    return b;
  };
  const invite = async (email: string, orgName = `Team ${uniq()}`) => {
    const admin = await signedInUser(platform());
    const org = await createOrganization(platform().orgs, { userId: admin.userId }, { name: orgName });
    const inv = await createInvitation(
      platform().orgs,
      { userId: admin.userId },
      {
        orgId: org.id,
        email,
        role: 'member',
      },
    );
    const token = new URL(inv.acceptUrl).searchParams.get('token')!;
    return { admin, orgId: org.id, orgName, id: inv.id, token, path: `/invitations/accept?token=${token}` };
  };
  const state = async (inv: { id: string; orgId: string }) => {
    const [row] = await platform().db.select().from(invitations).where(eq(invitations.id, inv.id));
    const members = await platform()
      .db.select()
      .from(organizationMembers)
      .where(and(eq(organizationMembers.organizationId, inv.orgId), eq(organizationMembers.role, 'member')));
    return { status: row!.status, members: members.length };
  };
  const open = async (b: ReturnType<typeof browser>, path: string) => {
    const res = await b.send(new URL(path, ORIGIN));
    return { res, html: await res.text() };
  };

  it('offers a signed-out visitor the sign-in choice that comes back to the link, naming no organization', async () => {
    const inv = await invite(`ada-${uniq()}@example.com`);
    const { res, html } = await open(browser(), inv.path);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html).not.toContain(inv.orgName);
    expect(hiddenFields(html)).toEqual({ returnTo: inv.path });
    expect(html).not.toContain('<script');
  });

  it('shows the invited person the organization, role and expiry, and opening it (twice) changes nothing', async () => {
    const email = `bea-${uniq()}@example.com`;
    const inv = await invite(email);
    const b = await signedIn(email);
    await open(b, inv.path);
    const { res, html } = await open(b, inv.path);
    expect(res.status).toBe(200);
    expect(html).toContain(`Join ${inv.orgName}?`);
    expect(html).toContain('as <strong>a member</strong>');
    expect(html).toMatch(/expires on \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(hiddenFields(html)).toEqual({ token: inv.token, csrfToken: b.cookies(ORIGIN).get('hxb_csrf') });
    expect(await state(inv)).toEqual({ status: 'pending', members: 0 });
  });

  it('declines on POST: the person does not join and the link is spent', async () => {
    const email = `cy-${uniq()}@example.com`;
    const inv = await invite(email);
    const b = await signedIn(email);
    const { html } = await open(b, inv.path);
    const res = await b.submit('/invitations/accept', { ...hiddenFields(html), decision: 'decline' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(`You declined the invitation to join <strong>${inv.orgName}</strong>`);
    expect(await state(inv)).toEqual({ status: 'declined', members: 0 });
    const again = await open(b, inv.path);
    expect(again.res.status).toBe(409);
    expect(again.html).toContain('already declined');
  });

  it('returns a 403 page to someone signed in with another address, naming neither organization nor invitee', async () => {
    const invitee = `dora-${uniq()}@example.com`;
    const inv = await invite(invitee);
    const mallory = `mallory-${uniq()}@example.com`;
    const b = await signedIn(mallory);
    const page = await open(b, inv.path);
    expect(page.res.status).toBe(403);
    expect(page.html).toContain(`You are signed in as <strong>${mallory}</strong>`);
    expect(page.html).toContain('/auth/login/dev'); // a way to switch accounts
    const csrfToken = b.cookies(ORIGIN).get('hxb_csrf')!;
    const post = await b.submit('/invitations/accept', { token: inv.token, decision: 'accept', csrfToken });
    expect(post.status).toBe(403);
    for (const html of [page.html, await post.text()]) {
      expect(html).not.toContain(inv.orgName);
      expect(html).not.toContain(invitee);
    }
    expect(await state(inv)).toEqual({ status: 'pending', members: 0 });
  });

  it('returns 404 for an unknown token', async () => {
    const b = await signedIn(`eve-${uniq()}@example.com`);
    const { res, html } = await open(b, '/invitations/accept?token=hxb_inv_never-issued');
    expect(res.status).toBe(404);
    expect(html).toContain('Invitation not found');
    const csrfToken = b.cookies(ORIGIN).get('hxb_csrf')!;
    const post = await b.submit('/invitations/accept', {
      token: 'hxb_inv_never-issued',
      decision: 'accept',
      csrfToken,
    });
    expect(post.status).toBe(404);
  });

  it('returns 400 for a link without a token', async () => {
    const { res, html } = await open(browser(), '/invitations/accept');
    expect(res.status).toBe(400);
    expect(html).toContain('This link is incomplete');
  });

  it('refuses a POST without the CSRF field (403) and changes nothing', async () => {
    const email = `fay-${uniq()}@example.com`;
    const inv = await invite(email);
    const b = await signedIn(email);
    const res = await b.submit('/invitations/accept', { token: inv.token, decision: 'accept' });
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('CSRF_FAILED');
    expect(await state(inv)).toEqual({ status: 'pending', members: 0 });
  });

  it('answers a signed-out POST with 401 and the sign-in choice', async () => {
    const inv = await invite(`gus-${uniq()}@example.com`);
    const res = await browser().submit('/invitations/accept', { token: inv.token, decision: 'accept' });
    expect(res.status).toBe(401);
    expect(hiddenFields(await res.text())).toEqual({ returnTo: inv.path });
    expect(await state(inv)).toEqual({ status: 'pending', members: 0 });
  });

  it('returns 409 pages for an expired, a cancelled and an already used invitation, changing nothing', async () => {
    const email = `hal-${uniq()}@example.com`;
    const b = await signedIn(email);
    const csrfToken = b.cookies(ORIGIN).get('hxb_csrf')!;
    const expired = await invite(email);
    await platform()
      .db.update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, expired.id));
    const cancelled = await invite(email);
    await cancelInvitation(
      platform().orgs,
      { userId: cancelled.admin.userId },
      { orgId: cancelled.orgId, invitationId: cancelled.id },
    );
    const used = await invite(email);
    const accepted = await b.submit('/invitations/accept', {
      token: used.token,
      decision: 'accept',
      csrfToken,
    });
    expect(accepted.status).toBe(200);
    expect(await accepted.text()).toContain(`You joined ${used.orgName}`);
    for (const [inv, says, status] of [
      [expired, 'This invitation has expired', 'pending'],
      [cancelled, 'already cancelled', 'cancelled'],
      [used, 'already accepted', 'accepted'],
    ] as const) {
      const page = await open(b, inv.path);
      expect(page.res.status).toBe(409);
      expect(page.html).toContain(says);
      const post = await b.submit('/invitations/accept', { token: inv.token, decision: 'accept', csrfToken });
      expect(post.status).toBe(409);
      expect(await state(inv)).toEqual({ status, members: inv === used ? 1 : 0 });
    }
  });

  it('escapes an organization name containing <script>', async () => {
    const email = `ida-${uniq()}@example.com`;
    const inv = await invite(email, '<script>alert(1)</script> & Co');
    const b = await signedIn(email);
    const { res, html } = await open(b, inv.path);
    expect(res.status).toBe(200);
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co');
  });
});
