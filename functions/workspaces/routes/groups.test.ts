import { describe, expect, it } from 'vitest';
import { nodePool } from '../../../shared/k8s/nodes';
import { signedInUser, teamOrganization } from '../../../shared/testing/fixtures';
import { bearerCaller, json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { flattenGroups } from '../../../shared/workspaces/flatten';
import { createWorkspace } from '../../../shared/workspaces/workspaces';
import { createWorkspacesApp } from '../app';

describe('groups and membership', () => {
  const platform = usePlatform();
  const call = bearerCaller(() =>
    createWorkspacesApp({ ...platform(), nodes: nodePool(undefined) }, { log: platform().log }),
  );
  const setup = async () => {
    const team = await teamOrganization(platform());
    const { workspaceId: wsId } = await createWorkspace(
      platform(),
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        name: 'w',
        planId: 'standard',
      },
    );
    const t = team.admin.token;
    const group = async (name: string, parentId?: string) =>
      json(
        await call(t, 'POST', `/api/v1/workspaces/${wsId}/groups`, {
          name,
          ...(parentId ? { parentId } : {}),
        }),
      );
    return { team, wsId, t, group };
  };

  it('builds a tree, moves groups, and refuses cycles with 422', async () => {
    const { wsId, t, group } = await setup();
    const a = await group('a');
    const b = await group('b', a.id);
    const c = await group('c', b.id);
    const cycle = await call(t, 'PATCH', `/api/v1/workspaces/${wsId}/groups/${a.id}`, { parentId: c.id });
    expect(cycle.status).toBe(422);
    expect((await json(cycle)).code).toBe('GROUP_CYCLE');
    expect(
      (await call(t, 'PATCH', `/api/v1/workspaces/${wsId}/groups/${a.id}`, { parentId: a.id })).status,
    ).toBe(422);
    const moved = await call(t, 'PATCH', `/api/v1/workspaces/${wsId}/groups/${c.id}`, {
      parentId: a.id,
      name: 'c2',
    });
    expect(await json(moved)).toMatchObject({ name: 'c2', parentId: a.id });
    const tree = (await json(await call(t, 'GET', `/api/v1/workspaces/${wsId}/groups`))).items;
    const aNode = tree.find((n: { name: string }) => n.name === 'a');
    expect(aNode.children.map((n: { name: string }) => n.name)).toEqual(['b', 'c2']);
  });

  it('refuses deleting a group with children (409) and the default groups (409); names are unique (409)', async () => {
    const { wsId, t, group } = await setup();
    const a = await group('a');
    await group('b', a.id);
    expect((await call(t, 'DELETE', `/api/v1/workspaces/${wsId}/groups/${a.id}`)).status).toBe(409);
    const defaults = (await json(await call(t, 'GET', `/api/v1/workspaces/${wsId}/groups`))).items[0];
    expect((await call(t, 'DELETE', `/api/v1/workspaces/${wsId}/groups/${defaults.id}`)).status).toBe(409);
    expect((await call(t, 'POST', `/api/v1/workspaces/${wsId}/groups`, { name: 'a' })).status).toBe(409);
    expect((await call(t, 'POST', `/api/v1/workspaces/${wsId}/groups`, { name: 'bad name' })).status).toBe(
      400,
    );
  });

  it('flattens a deep tree: the groups a user is in plus every ancestor, sorted, once each', async () => {
    const { team, wsId, group, t } = await setup();
    let parent = (await json(await call(t, 'GET', `/api/v1/workspaces/${wsId}/groups`))).items[0].id;
    const names: string[] = [];
    for (let depth = 0; depth < 25; depth++) {
      const g = await group(`level-${String(depth).padStart(2, '0')}`, parent);
      names.push(g.name);
      parent = g.id;
    }
    expect(
      (
        await call(t, 'POST', `/api/v1/workspaces/${wsId}/groups/${parent}/members`, {
          userId: team.admin.userId,
        })
      ).status,
    ).toBe(201);
    const flat = await flattenGroups(platform().db, wsId, team.admin.userId);
    expect(flat).toEqual([...names, 'WSAdmins', 'WorkspaceMembers'].sort());
  });

  it('only admits workspace members to groups; removing a member removes their group memberships', async () => {
    const { team, wsId, t, group } = await setup();
    const g = await group('devs');
    const outsider = await call(t, 'POST', `/api/v1/workspaces/${wsId}/groups/${g.id}/members`, {
      userId: team.member.userId,
    });
    expect(outsider.status).toBe(422);
    expect(
      (await call(t, 'POST', `/api/v1/workspaces/${wsId}/members`, { userId: team.member.userId })).status,
    ).toBe(201);
    expect(
      (
        await call(t, 'POST', `/api/v1/workspaces/${wsId}/groups/${g.id}/members`, {
          userId: team.member.userId,
        })
      ).status,
    ).toBe(201);
    expect(await flattenGroups(platform().db, wsId, team.member.userId)).toEqual([
      'WSUsers',
      'WorkspaceMembers',
      'devs',
    ]);
    expect((await call(t, 'DELETE', `/api/v1/workspaces/${wsId}/members/${team.member.userId}`)).status).toBe(
      204,
    );
    expect(await flattenGroups(platform().db, wsId, team.member.userId)).toEqual([]);
    const stranger = await signedInUser(platform());
    expect(
      (await call(t, 'POST', `/api/v1/workspaces/${wsId}/members`, { userId: stranger.userId })).status,
    ).toBe(422);
  });

  it("enforces the plan's member cap with 422", async () => {
    const team = await teamOrganization(platform());
    const { workspaceId: wsId } = await createWorkspace(
      platform(),
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        name: 'small',
        planId: 'free',
      },
    );
    // free: 3 members; the creator is one.
    const { createInvitation, respondToInvitation } = await import('../../../shared/orgs/invitations');
    const add = async () => {
      const u = await signedInUser(platform());
      const inv = await createInvitation(
        platform().orgs,
        { userId: team.admin.userId },
        {
          orgId: team.orgId,
          email: u.email,
          role: 'member',
        },
      );
      await respondToInvitation(platform().orgs, { userId: u.userId }, { id: inv.id, answer: 'accept' });
      return call(team.admin.token, 'POST', `/api/v1/workspaces/${wsId}/members`, { userId: u.userId });
    };
    expect((await add()).status).toBe(201);
    expect((await add()).status).toBe(201);
    const over = await add();
    expect(over.status).toBe(422);
    expect((await json(over)).code).toBe('PLAN_LIMIT_REACHED');
  });

  it('refuses a cluster-role assignment to a group of another workspace (422 UNKNOWN_GROUP) and adds nothing', async () => {
    const { team, wsId, t } = await setup();
    const { workspaceId: otherWs } = await createWorkspace(
      platform(),
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        name: 'other',
        planId: 'standard',
      },
    );
    const foreign = await json(await call(t, 'POST', `/api/v1/workspaces/${otherWs}/groups`, { name: 'x' }));
    const path = `/api/v1/workspaces/${wsId}/clusterroleassignments`;
    const before = await json(await call(t, 'GET', path));
    const res = await call(t, 'POST', path, {
      groupId: foreign.id,
      clusterRoleName: 'hexabase:workspace-viewer',
    });
    expect(res.status).toBe(422);
    expect(await json(res)).toMatchObject({ code: 'UNKNOWN_GROUP' });
    expect(await json(await call(t, 'GET', path))).toEqual(before);
  });
});
