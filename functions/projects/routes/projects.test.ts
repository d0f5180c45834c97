import { describe, expect, it } from 'vitest';
import { nodePool } from '../../../shared/k8s/nodes';
import { teamOrganization } from '../../../shared/testing/fixtures';
import { bearerCaller, json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { projectRoleAssignments } from '../../../shared/workspaces/role-assignments';
import { createWorkspace } from '../../../shared/workspaces/workspaces';
import { createWorkspacesApp } from '../../workspaces/app';
import { createProjectsApp } from '../app';

describe('projects, roles and role assignments', () => {
  const platform = usePlatform();
  const call = bearerCaller((path) =>
    (path.includes('/projects') ? createProjectsApp : createWorkspacesApp)(
      { ...platform(), nodes: nodePool(undefined) },
      {
        log: platform().log,
      },
    ),
  );
  const workspace = async (planId = 'standard') => {
    const team = await teamOrganization(platform());
    const { workspaceId } = await createWorkspace(
      platform(),
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        name: 'w',
        planId,
      },
    );
    const t = team.admin.token;
    const project = async (name: string, parentId?: string) =>
      call(t, 'POST', `/api/v1/workspaces/${workspaceId}/projects`, {
        name,
        ...(parentId ? { parentId } : {}),
      });
    return { team, wsId: workspaceId, t, project };
  };

  it('creates projects whose name is the namespace, and lists them flat or as a tree', async () => {
    const { wsId, t, project } = await workspace();
    const web = await json(await project('web'));
    expect(web).toMatchObject({ name: 'web', namespace: 'web', parentId: null });
    await project('web-api', web.id);
    const flat = await json(await call(t, 'GET', `/api/v1/workspaces/${wsId}/projects`));
    expect(flat.items.map((p: { name: string }) => p.name)).toEqual(['web', 'web-api']);
    const tree = await json(await call(t, 'GET', `/api/v1/workspaces/${wsId}/projects?hierarchical=true`));
    expect(tree.items).toHaveLength(1);
    expect(tree.items[0].children.map((p: { name: string }) => p.name)).toEqual(['web-api']);
    expect((await call(t, 'DELETE', `/api/v1/workspaces/${wsId}/projects/${web.id}`)).status).toBe(409);
  });

  it('refuses invalid and reserved names', async () => {
    const { project } = await workspace();
    for (const name of ['Web', 'a_b', '-x', 'x'.repeat(64)])
      expect((await project(name)).status, name).toBe(400);
    for (const name of ['default', 'kube-system', 'hexabase-system']) {
      const res = await project(name);
      expect(res.status, name).toBe(422);
      expect((await json(res)).code).toBe('RESERVED_NAME');
    }
  });

  it('lets exactly one of two concurrent creations of the same name win (201 + 409)', async () => {
    const { project } = await workspace();
    const results = await Promise.all([project('race'), project('race')]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it("enforces the plan's project cap with 422 and a clear message", async () => {
    const { project } = await workspace('free'); // free: 3 projects
    for (const n of ['a', 'b', 'c']) expect((await project(n)).status).toBe(201);
    const over = await project('d');
    expect(over.status).toBe(422);
    const body = await json(over);
    expect(body.code).toBe('PLAN_LIMIT_REACHED');
    expect(body.detail).toMatch(/Free plan allows 3 projects/);
  });

  it('lists the presets for every project; custom roles are validated as Kubernetes PolicyRules', async () => {
    const { t, project } = await workspace();
    const p = await json(await project('app'));
    const roles = await json(await call(t, 'GET', `/api/v1/projects/${p.id}/roles`));
    expect(
      roles.items.filter((r: { preset: boolean }) => r.preset).map((r: { name: string }) => r.name),
    ).toEqual(['hexabase:project-admin', 'hexabase:project-editor', 'hexabase:project-viewer']);
    const bad = [
      { apiGroups: [''], resources: ['pods'], verbs: ['get'], nonResourceURLs: ['/healthz'] },
      { apiGroups: [''], resources: ['pods'], verbs: ['fly'] },
      { apiGroups: [''], resources: [], verbs: ['get'] },
      { apiGroups: [''], resources: ['pods'], verbs: [] },
    ];
    for (const rule of bad) {
      const res = await call(t, 'POST', `/api/v1/projects/${p.id}/roles`, { name: 'bad', rules: [rule] });
      expect(res.status, JSON.stringify(rule)).toBe(400);
    }
    const ok = await call(t, 'POST', `/api/v1/projects/${p.id}/roles`, {
      name: 'deployer',
      rules: [
        { apiGroups: ['apps'], resources: ['deployments'], verbs: ['get', 'update'], resourceNames: ['web'] },
      ],
    });
    expect(ok.status).toBe(201);
    const preset = await call(t, 'PUT', `/api/v1/projects/${p.id}/roles/hexabase:project-admin`, {
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
    });
    expect(preset.status).toBe(422);
  });

  it('applies an assignment to descendant projects, and deleting a role removes its assignments', async () => {
    const { wsId, t, project } = await workspace();
    const parent = await json(await project('team'));
    const child = await json(await project('team-api', parent.id));
    const [group] = (await json(await call(t, 'GET', `/api/v1/workspaces/${wsId}/groups`))).items[0].children;
    const role = await json(
      await call(t, 'POST', `/api/v1/projects/${parent.id}/roles`, {
        name: 'ops',
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['*'] }],
      }),
    );
    const own = await call(t, 'POST', `/api/v1/projects/${parent.id}/roleassignments`, {
      groupId: group.id,
      roleId: role.id,
    });
    expect(own.status).toBe(201);
    const preset = await call(t, 'POST', `/api/v1/projects/${child.id}/roleassignments`, {
      groupId: group.id,
      roleId: 'hexabase:project-viewer',
    });
    expect(preset.status).toBe(201);
    const inChild = await json(await call(t, 'GET', `/api/v1/projects/${child.id}/roleassignments`));
    expect(
      inChild.items.map((a: { roleName: string; inheritedFrom: string | null }) => [
        a.roleName,
        a.inheritedFrom,
      ]),
    ).toEqual([
      ['hexabase:project-viewer', null],
      ['ops', parent.id],
    ]);
    expect((await call(t, 'DELETE', `/api/v1/projects/${parent.id}/roles/${role.id}`)).status).toBe(204);
    const left = await projectRoleAssignments(platform().db, parent.id);
    expect(left).toEqual([]);
  });
});
