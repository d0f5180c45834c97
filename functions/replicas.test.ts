import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPat } from '../shared/auth/pats';
import { createPlatform, type Platform } from '../shared/platform';
import { teamOrganization } from '../shared/testing/fixtures';
import { waitFor } from '../shared/testing/kube/supervisor';
import { usePlatform } from '../shared/testing/platform';
import { workspaceAccess } from '../shared/workspaces/access';
import { addGroupMember, createGroup } from '../shared/workspaces/groups';
import { addWorkspaceMember } from '../shared/workspaces/members';
import { createWorkspace } from '../shared/workspaces/workspaces';
import { type FunctionName, functionRegistry } from './registry';

/**
 * Two replicas of the platform — separate processes as far as the code can tell: their own connections, their own
 * cache objects — over the same PostgreSQL and Redis. A change made through one must hold on the other with the
 * very next request, although the other answered the same question from the cache a moment before.
 */
const platform = usePlatform();
let replica: Platform;
let noRedis: Platform;
beforeAll(async () => {
  replica = await createPlatform(platform().env, platform().log, { name: 'replica', migrate: false });
  // Redis that never answers: every read and every invalidation fails, so only PostgreSQL can answer.
  noRedis = await createPlatform({ ...platform().env, REDIS_URL: 'redis://127.0.0.1:1' }, platform().log, {
    name: 'no-redis',
    migrate: false,
  });
});
afterAll(async () => {
  await replica?.close();
  await noRedis?.close();
});

const apps = new Map<string, ReturnType<(typeof functionRegistry)[FunctionName]['create']>>();
function call(p: Platform, fn: FunctionName, method: string, path: string, token: string, body?: string) {
  const key = `${p === replica ? 'b' : p === noRedis ? 'c' : 'a'}:${fn}`;
  if (!apps.has(key)) apps.set(key, functionRegistry[fn].create(p, { log: p.log }));
  return apps.get(key)!.request(path, {
    method,
    body,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
  });
}

async function workspaceWithMember() {
  const team = await teamOrganization(platform());
  const { workspaceId } = await createWorkspace(
    platform(),
    { userId: team.admin.userId },
    {
      orgId: team.orgId,
      name: `w-${Math.random().toString(36).slice(2, 8)}`,
      planId: 'free',
    },
  );
  const ws = (await workspaceAccess(platform().authz, workspaceId, team.admin.userId))!;
  await addWorkspaceMember(platform(), { userId: team.admin.userId }, { ws, userId: team.member.userId });
  return { ...team, wsId: workspaceId, ws };
}

/** The admin takes the member out of the workspace, through the first platform's API. */
const removeFromWorkspace = (t: Awaited<ReturnType<typeof workspaceWithMember>>) =>
  call(
    platform(),
    'workspaces',
    'DELETE',
    `/api/v1/workspaces/${t.wsId}/members/${t.member.userId}`,
    t.admin.token,
  );

/**
 * Reads through the replica until its cache holds `key`, which proves the next answer could come from the cache.
 * Until the lazily loaded Redis client is up, and while an entry's write is in flight, reads go to PostgreSQL.
 */
async function warmReplica(key: string, read: () => Promise<void>) {
  await waitFor(
    `the replica's cache to hold ${key}`,
    async () => {
      await read();
      return (await replica.cache.get(key)) !== null ? true : undefined;
    },
    { timeoutMs: 60_000, intervalMs: 50 },
  );
}

describe('authorization cached across replicas', () => {
  it('takes a removed workspace member out on another replica with the next request (404)', async () => {
    const t = await workspaceWithMember();
    const path = `/api/v1/organizations/${t.orgId}/workspaces/${t.wsId}`;
    await warmReplica(`wa:${t.wsId}:${t.member.userId}`, async () => {
      expect((await call(replica, 'workspaces', 'GET', path, t.member.token)).status).toBe(200);
    });
    expect((await removeFromWorkspace(t)).status).toBe(204);
    expect((await call(replica, 'workspaces', 'GET', path, t.member.token)).status).toBe(404);
    expect(
      (await call(replica, 'projects', 'GET', `/api/v1/workspaces/${t.wsId}/projects`, t.member.token))
        .status,
    ).toBe(404);
  });

  it('takes a person removed from the organization out on another replica with the next request', async () => {
    const t = await workspaceWithMember();
    const org = `/api/v1/organizations/${t.orgId}`;
    await warmReplica(`or:${t.orgId}:${t.member.userId}`, async () => {
      expect((await call(replica, 'organizations', 'GET', org, t.member.token)).status).toBe(200);
    });
    const removed = await call(
      platform(),
      'organizations',
      'DELETE',
      `${org}/users/${t.member.userId}`,
      t.admin.token,
    );
    expect(removed.status).toBe(204);
    expect((await call(replica, 'organizations', 'GET', org, t.member.token)).status).toBe(404);
    expect(
      (await call(replica, 'workspaces', 'GET', `${org}/workspaces/${t.wsId}`, t.member.token)).status,
    ).toBe(404);
  });

  it('ends a session on every replica at once when it logs out on one', async () => {
    const t = await workspaceWithMember();
    for (let i = 0; i < 3; i++)
      expect((await call(replica, 'auth', 'GET', '/auth/me', t.member.token)).status).toBe(200);
    expect((await call(platform(), 'auth', 'POST', '/auth/logout', t.member.token)).status).toBe(204);
    const after = await call(replica, 'auth', 'GET', '/auth/me', t.member.token);
    expect(after.status).toBe(401);
  });

  it('refuses a revoked personal access token on every replica at once', async () => {
    const t = await workspaceWithMember();
    const pat = await createPat(platform().auth.auth, { userId: t.member.userId }, { name: 'ci' });
    for (let i = 0; i < 3; i++)
      expect((await call(replica, 'auth', 'GET', '/auth/me', pat.token)).status).toBe(200);
    const revoked = await call(platform(), 'auth', 'DELETE', `/auth/tokens/${pat.id}`, t.member.token);
    expect(revoked.status).toBe(204);
    expect((await call(replica, 'auth', 'GET', '/auth/me', pat.token)).status).toBe(401);
  });

  it('follows a group change in the next workspace ID token another replica issues', async () => {
    const t = await workspaceWithMember();
    const devs = await createGroup(platform(), { userId: t.admin.userId }, { ws: t.ws, name: 'devs' });
    const exchange = async () => {
      const res = await call(
        replica,
        'oidc',
        'POST',
        `/oidc/${t.wsId}/token`,
        t.member.token,
        new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: t.member.token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        }).toString(),
      );
      expect(res.status).toBe(200);
      const { access_token } = (await res.json()) as { access_token: string };
      return JSON.parse(Buffer.from(access_token.split('.')[1]!, 'base64url').toString()).groups as string[];
    };
    await warmReplica(`fg:${t.wsId}:${t.member.userId}`, async () => {
      expect(await exchange()).not.toContain('devs');
    });
    await addGroupMember(
      platform(),
      { userId: t.admin.userId },
      { ws: t.ws, groupId: devs.id, userId: t.member.userId },
    );
    expect(await exchange()).toContain('devs');
    const removed = await call(
      platform(),
      'workspaces',
      'DELETE',
      `/api/v1/workspaces/${t.wsId}/groups/${devs.id}/members/${t.member.userId}`,
      t.admin.token,
    );
    expect(removed.status).toBe(204);
    expect(await exchange()).not.toContain('devs');
  });

  it('keeps answering from PostgreSQL when Redis is unreachable, changes included', async () => {
    const t = await workspaceWithMember();
    const path = `/api/v1/organizations/${t.orgId}/workspaces/${t.wsId}`;
    expect((await call(noRedis, 'workspaces', 'GET', path, t.member.token)).status).toBe(200);
    expect((await call(noRedis, 'auth', 'GET', '/auth/me', t.member.token)).status).toBe(200);
    expect((await removeFromWorkspace(t)).status).toBe(204);
    expect((await call(noRedis, 'workspaces', 'GET', path, t.member.token)).status).toBe(404);
  });
});
