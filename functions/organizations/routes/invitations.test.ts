import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { invitations, organizationMembers, outbox } from '../../../shared/db/schema';
import { signedInUser, teamOrganization } from '../../../shared/testing/fixtures';
import { bearerCaller, json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { createOrganizationsApp } from '../app';

describe('invitations', () => {
  const platform = usePlatform();
  const call = bearerCaller(() => createOrganizationsApp(platform(), { log: platform().log }));
  const invite = async (email: string, role = 'member') => {
    const team = await teamOrganization(platform());
    const res = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/users`, {
      email,
      role,
    });
    expect(res.status).toBe(201);
    return { team, invitation: await json(res) };
  };
  const tokenOf = async (id: string) => {
    // The emailed link carries the token; the test reads it the way the email sender will (sealed in the row).
    const { unseal } = await import('../../../shared/auth/seal');
    const [row] = await platform().db.select().from(invitations).where(eq(invitations.id, id));
    return unseal(platform().orgs.kek, id, row!.tokenEncrypted!);
  };
  const isMember = async (orgId: string, userId: string) =>
    (
      await platform()
        .db.select()
        .from(organizationMembers)
        .where(eq(organizationMembers.organizationId, orgId))
    ).some((m) => m.userId === userId);

  it('lets the invited person (verified email) see and accept it, joining with the invited role', async () => {
    const bob = await signedInUser(platform());
    const { team, invitation } = await invite(bob.email.toUpperCase(), 'admin');
    const mine = await json(await call(bob.token, 'GET', '/api/v1/invitations'));
    expect(mine.items).toEqual([
      expect.objectContaining({
        id: invitation.id,
        role: 'admin',
        organization: { id: team.orgId, name: expect.any(String) },
      }),
    ]);
    const res = await call(bob.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ organizationId: team.orgId, role: 'admin', status: 'accepted' });
    expect(await isMember(team.orgId, bob.userId)).toBe(true);
  });

  it('requests the email through the outbox, without the token in the event', async () => {
    const { invitation } = await invite('carl@example.com');
    const [event] = await platform().db.select().from(outbox).where(eq(outbox.subject, invitation.id));
    expect(event).toMatchObject({
      type: 'ai.hexabase.notification.email.requested',
      source: '/hexabase/organizations',
    });
    expect(JSON.stringify(event!.data)).not.toContain('hxb_inv_');
  });

  it('accepts with the emailed token, once', async () => {
    const dora = await signedInUser(platform());
    const { team, invitation } = await invite(dora.email);
    const token = await tokenOf(invitation.id);
    expect((await call(dora.token, 'POST', '/api/v1/invitations/accept', { token })).status).toBe(200);
    expect(await isMember(team.orgId, dora.userId)).toBe(true);
    const reuse = await call(dora.token, 'POST', '/api/v1/invitations/accept', { token });
    expect(reuse.status).toBe(409);
    expect((await json(reuse)).code).toBe('INVITATION_NOT_PENDING');
  });

  it('refuses an expired invitation with 409 and adds no member', async () => {
    const eve = await signedInUser(platform());
    const { team, invitation } = await invite(eve.email);
    await platform()
      .db.update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(eq(invitations.id, invitation.id));
    const res = await call(eve.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`);
    expect(res.status).toBe(409);
    expect((await json(res)).code).toBe('INVITATION_EXPIRED');
    expect(await isMember(team.orgId, eve.userId)).toBe(false);
  });

  it('hides the invitation from someone with another email (404), even with its token', async () => {
    const { team, invitation } = await invite('fay@example.com');
    const mallory = await signedInUser(platform());
    expect((await call(mallory.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`)).status).toBe(
      404,
    );
    const token = await tokenOf(invitation.id);
    expect((await call(mallory.token, 'POST', '/api/v1/invitations/accept', { token })).status).toBe(404);
    expect(await isMember(team.orgId, mallory.userId)).toBe(false);
  });

  it('refuses the right address when it is not verified (403)', async () => {
    const gus = await signedInUser(platform(), { verified: false });
    const { team, invitation } = await invite(gus.email);
    expect((await json(await call(gus.token, 'GET', '/api/v1/invitations'))).items).toEqual([]);
    const res = await call(gus.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`);
    expect(res.status).toBe(403);
    expect((await json(res)).code).toBe('EMAIL_NOT_VERIFIED');
    expect(await isMember(team.orgId, gus.userId)).toBe(false);
  });

  it('cannot be accepted once cancelled', async () => {
    const hal = await signedInUser(platform());
    const { team, invitation } = await invite(hal.email);
    expect(
      (
        await call(
          team.admin.token,
          'DELETE',
          `/api/v1/organizations/${team.orgId}/invitations/${invitation.id}`,
        )
      ).status,
    ).toBe(204);
    const res = await call(hal.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`);
    expect(res.status).toBe(409);
    expect(await isMember(team.orgId, hal.userId)).toBe(false);
  });

  it('declines: the person does not join and the invitation is spent', async () => {
    const ida = await signedInUser(platform());
    const { team, invitation } = await invite(ida.email);
    const res = await call(ida.token, 'POST', `/api/v1/invitations/${invitation.id}/decline`);
    expect(await json(res)).toMatchObject({ status: 'declined' });
    expect(await isMember(team.orgId, ida.userId)).toBe(false);
    expect((await call(ida.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`)).status).toBe(409);
  });

  it('refuses to invite someone who is already a member, and a second pending invitation (409)', async () => {
    const team = await teamOrganization(platform());
    const already = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/users`, {
      email: team.member.email,
      role: 'member',
    });
    expect(already.status).toBe(409);
    expect((await json(already)).code).toBe('ALREADY_MEMBER');
    const body = { email: 'twice@example.com', role: 'member' };
    expect(
      (await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/users`, body)).status,
    ).toBe(201);
    const second = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/users`, body);
    expect(second.status).toBe(409);
    expect((await json(second)).code).toBe('INVITATION_PENDING');
  });

  it('answers 409 when an invited person already joined another way', async () => {
    const jo = await signedInUser(platform());
    const { team, invitation } = await invite(jo.email);
    // Meanwhile an admin adds Jo through a second invitation path (direct membership).
    await platform()
      .db.insert(organizationMembers)
      .values({ organizationId: team.orgId, userId: jo.userId, role: 'member' });
    const res = await call(jo.token, 'POST', `/api/v1/invitations/${invitation.id}/accept`);
    expect(res.status).toBe(409);
    expect((await json(res)).code).toBe('ALREADY_MEMBER');
    const [inv] = await platform().db.select().from(invitations).where(eq(invitations.id, invitation.id));
    expect(inv!.status).toBe('pending'); // nothing half-written
  });

  it('validates input with 400 problem+json', async () => {
    const team = await teamOrganization(platform());
    const res = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/users`, {
      email: 'nope',
      role: 'owner',
    });
    expect(res.status).toBe(400);
    const body = await json(res);
    expect(body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['email', 'role']);
  });
});
