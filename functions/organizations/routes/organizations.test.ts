import { and, count, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  auditLog,
  organizationMembers,
  organizations,
  workspaceMembers,
  workspaces,
} from '../../../shared/db/schema';
import { newId } from '../../../shared/ids';
import { signedInUser, teamOrganization } from '../../../shared/testing/fixtures';
import { bearerCaller, json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { createOrganizationsApp } from '../app';

describe('organizations and members', () => {
  const platform = usePlatform();
  const call = bearerCaller(() => createOrganizationsApp(platform(), { log: platform().log }));
  const admins = async (orgId: string) =>
    (
      await platform()
        .db.select()
        .from(organizationMembers)
        .where(and(eq(organizationMembers.organizationId, orgId), eq(organizationMembers.role, 'admin')))
    ).length;

  it('creates an organization with the caller as admin, lists it with the role, renames it', async () => {
    const u = await signedInUser(platform());
    const created = await call(u.token, 'POST', '/api/v1/organizations', { name: '  Acme  ' });
    expect(created.status).toBe(201);
    const org = await json(created);
    expect(org).toMatchObject({ name: 'Acme', role: 'admin', personal: false });
    const list = await json(await call(u.token, 'GET', '/api/v1/organizations'));
    expect(list.items.map((o: { id: string; role: string }) => [o.id, o.role])).toEqual([
      [expect.any(String), 'admin'], // the private organization from the first sign-in
      [org.id, 'admin'],
    ]);
    const renamed = await call(u.token, 'PATCH', `/api/v1/organizations/${org.id}`, { name: 'Acme Inc' });
    expect((await json(renamed)).name).toBe('Acme Inc');
  });

  it('pages the organization list without repeats', async () => {
    const u = await signedInUser(platform());
    for (let i = 0; i < 4; i++) await call(u.token, 'POST', '/api/v1/organizations', { name: `O${i}` });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = await json(
        await call(u.token, 'GET', `/api/v1/organizations?limit=2${cursor ? `&cursor=${cursor}` : ''}`),
      );
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });

  it('refuses to delete an organization with workspaces (409), and deletes it once they are gone', async () => {
    const team = await teamOrganization(platform());
    const wsId = newId('ws');
    await platform()
      .db.insert(workspaces)
      .values({ id: wsId, organizationId: team.orgId, name: 'w', planId: 'free' });
    const refused = await call(team.admin.token, 'DELETE', `/api/v1/organizations/${team.orgId}`);
    expect(refused.status).toBe(409);
    expect((await json(refused)).code).toBe('ORGANIZATION_HAS_WORKSPACES');
    const [still] = await platform()
      .db.select({ n: count() })
      .from(organizations)
      .where(eq(organizations.id, team.orgId));
    expect(still!.n).toBe(1);
    const [noAudit] = await platform()
      .db.select({ n: count() })
      .from(auditLog)
      .where(and(eq(auditLog.action, 'organization.deleted'), eq(auditLog.targetId, team.orgId)));
    expect(noAudit!.n).toBe(0);
    await platform().db.delete(workspaces).where(eq(workspaces.id, wsId));
    expect((await call(team.admin.token, 'DELETE', `/api/v1/organizations/${team.orgId}`)).status).toBe(204);
    expect((await call(team.admin.token, 'GET', `/api/v1/organizations/${team.orgId}`)).status).toBe(404);
  });

  it('never demotes or removes the last admin (409)', async () => {
    const team = await teamOrganization(platform());
    const base = `/api/v1/organizations/${team.orgId}/users/${team.admin.userId}`;
    const demote = await call(team.admin.token, 'PATCH', base, { role: 'member' });
    expect(demote.status).toBe(409);
    expect((await json(demote)).code).toBe('LAST_ADMIN');
    expect((await call(team.admin.token, 'DELETE', base)).status).toBe(409);
    expect(await admins(team.orgId)).toBe(1);
  });

  it('keeps an admin when two admins demote each other at the same moment', async () => {
    for (let round = 0; round < 5; round++) {
      const team = await teamOrganization(platform());
      const path = (id: string) => `/api/v1/organizations/${team.orgId}/users/${id}`;
      await call(team.admin.token, 'PATCH', path(team.member.userId), { role: 'admin' });
      const results = await Promise.all([
        call(team.admin.token, 'PATCH', path(team.member.userId), { role: 'member' }),
        call(team.member.token, 'PATCH', path(team.admin.userId), { role: 'member' }),
      ]);
      expect(results.map((r) => r.status).sort()).toEqual(
        [200, 403].includes(results[0]!.status) ? expect.any(Array) : expect.any(Array),
      );
      expect(await admins(team.orgId)).toBeGreaterThanOrEqual(1);
      const ok = results.filter((r) => r.status === 200).length;
      expect(ok).toBe(1);
    }
  });

  it('removes a member from the organization and its workspaces; the removed member then gets 404', async () => {
    const team = await teamOrganization(platform());
    const wsId = newId('ws');
    const { db } = platform();
    await db.insert(workspaces).values({ id: wsId, organizationId: team.orgId, name: 'w', planId: 'free' });
    await db.insert(workspaceMembers).values({ workspaceId: wsId, userId: team.member.userId });
    const res = await call(
      team.admin.token,
      'DELETE',
      `/api/v1/organizations/${team.orgId}/users/${team.member.userId}`,
    );
    expect(res.status).toBe(204);
    expect(await db.select().from(workspaceMembers).where(eq(workspaceMembers.workspaceId, wsId))).toEqual(
      [],
    );
    expect((await call(team.member.token, 'GET', `/api/v1/organizations/${team.orgId}`)).status).toBe(404);
  });

  it('lists members and pending invitations; writes an audit row per change, filterable', async () => {
    const team = await teamOrganization(platform());
    await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/users`, {
      email: 'p@example.com',
      role: 'admin',
    });
    const members = await json(
      await call(team.member.token, 'GET', `/api/v1/organizations/${team.orgId}/users`),
    );
    expect(members.items.map((m: { userId: string }) => m.userId).sort()).toEqual(
      [team.admin.userId, team.member.userId].sort(),
    );
    expect(members.pendingInvitations).toEqual([
      expect.objectContaining({ email: 'p@example.com', role: 'admin', status: 'pending' }),
    ]);
    const log = await json(
      await call(team.admin.token, 'GET', `/api/v1/organizations/${team.orgId}/audit-log`),
    );
    expect(log.items.map((e: { action: string }) => e.action)).toEqual([
      'invitation.created',
      'invitation.accepted',
      'invitation.created',
      'organization.created',
    ]);
    const byMember = await json(
      await call(
        team.admin.token,
        'GET',
        `/api/v1/organizations/${team.orgId}/audit-log?actor=${team.member.userId}`,
      ),
    );
    expect(byMember.items.map((e: { action: string }) => e.action)).toEqual(['invitation.accepted']);
    const byAction = await json(
      await call(
        team.admin.token,
        'GET',
        `/api/v1/organizations/${team.orgId}/audit-log?action=organization.created&limit=1`,
      ),
    );
    expect(byAction.items).toHaveLength(1);
    const future = await json(
      await call(
        team.admin.token,
        'GET',
        `/api/v1/organizations/${team.orgId}/audit-log?since=${new Date(Date.now() + 60_000).toISOString()}`,
      ),
    );
    expect(future.items).toEqual([]);
    expect(
      (await call(team.admin.token, 'GET', `/api/v1/organizations/${team.orgId}/audit-log?since=yesterday`))
        .status,
    ).toBe(400);
  });

  it('replays a POST with the same Idempotency-Key and body, and refuses the key with another body', async () => {
    const u = await signedInUser(platform());
    const key = { 'idempotency-key': `k-${Math.random()}` };
    const first = await call(u.token, 'POST', '/api/v1/organizations', { name: 'Once' }, key);
    const again = await call(u.token, 'POST', '/api/v1/organizations', { name: 'Once' }, key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await json(again)).toEqual(await json(first));
    const list = await json(await call(u.token, 'GET', '/api/v1/organizations'));
    expect(list.items.filter((o: { name: string }) => o.name === 'Once')).toHaveLength(1);
    const other = await call(u.token, 'POST', '/api/v1/organizations', { name: 'Twice' }, key);
    expect(other.status).toBe(422);
    expect((await json(other)).code).toBe('IDEMPOTENCY_KEY_REUSED');
    // Keys are per caller: someone else's identical key is a new request.
    const v = await signedInUser(platform());
    expect(
      (await call(v.token, 'POST', '/api/v1/organizations', { name: 'Once' }, key)).headers.get(
        'idempotent-replayed',
      ),
    ).toBeNull();
  });
});
