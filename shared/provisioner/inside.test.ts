import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { groups } from '../db/schema';
import { apply, clusterFromKubeconfig, prune } from '../k8s/apply';
import { teamOrganization } from '../testing/fixtures';
import { kubectl } from '../testing/kube/kubectl';
import { kubeEnvironment, useVirtualClusters } from '../testing/kube/worker';
import { usePlatform } from '../testing/platform';
import { workspaceAccess } from '../workspaces/access';
import { addGroupMember, createGroup } from '../workspaces/groups';
import { createProject, deleteProject } from '../workspaces/projects';
import { assignRole } from '../workspaces/role-assignments';
import { createRole } from '../workspaces/roles';
import { createWorkspace } from '../workspaces/workspaces';
import { desiredVClusterObjects } from './desired';

describe('reconciling a workspace into a real virtual cluster', () => {
  const platform = usePlatform();
  const startVirtualCluster = useVirtualClusters();
  const kube = kubeEnvironment();
  let kubeconfigPath = '';
  let cluster: ReturnType<typeof clusterFromKubeconfig>;
  let wsId = '';
  let actor = { userId: '' };
  const k = (...args: string[]) => kubectl(kube.kubectl, args, { kubeconfig: kubeconfigPath });
  const reconcile = async () => {
    const desired = await desiredVClusterObjects(platform().db, wsId);
    await apply(cluster, desired);
    return prune(cluster, desired);
  };

  beforeAll(async () => {
    const vc = await startVirtualCluster({ name: 'reconcile' });
    kubeconfigPath = join(mkdtempSync(join(tmpdir(), 'hexabase-rec-')), 'kubeconfig');
    writeFileSync(kubeconfigPath, vc.kubeconfig);
    cluster = clusterFromKubeconfig(vc.kubeconfig);
    const team = await teamOrganization(platform());
    actor = { userId: team.admin.userId };
    wsId = (await createWorkspace(platform(), actor, { orgId: team.orgId, name: 'rec', planId: 'standard' }))
      .workspaceId;
  });

  it('creates the preset roles, bindings, project namespaces, quotas, limits, custom roles and bindings', async () => {
    const ws = (await workspaceAccess(platform().authz, wsId, actor.userId))!;
    const devs = await createGroup(platform(), actor, { ws, name: 'devs' });
    await addGroupMember(platform(), actor, { ws, groupId: devs.id, userId: actor.userId });
    const web = await createProject(platform(), actor, { ws, name: 'web' });
    await createProject(platform(), actor, { ws, name: 'web-api', parentId: web.id });
    const reader = await createRole(platform(), actor, {
      ws,
      projectId: web.id,
      name: 'reader',
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list'] }],
    });
    await assignRole(platform(), actor, { ws, projectId: web.id, groupId: devs.id, roleId: reader.id });
    await reconcile();

    const roles = (
      await k('get', 'clusterroles', '-l', 'app.kubernetes.io/managed-by=hexabase', '-o', 'name')
    ).stdout;
    expect(roles.trim().split('\n').sort()).toEqual(
      ['project-admin', 'project-editor', 'project-viewer', 'workspace-admin', 'workspace-viewer'].map(
        (n) => `clusterrole.rbac.authorization.k8s.io/hexabase:${n}`,
      ),
    );
    const crbs = (
      await k(
        'get',
        'clusterrolebindings',
        '-l',
        'app.kubernetes.io/managed-by=hexabase',
        '-o',
        'jsonpath={range .items[*]}{.roleRef.name}={.subjects[0].name}{"\\n"}{end}',
      )
    ).stdout;
    expect(crbs.trim().split('\n').sort()).toEqual([
      'hexabase:workspace-admin=hexabase:WSAdmins',
      'hexabase:workspace-viewer=hexabase:WSUsers',
    ]);
    for (const ns of ['web', 'web-api']) {
      expect(
        (await k('get', 'namespace', ns, '-o', 'jsonpath={.metadata.labels.hexabase\\.ai/project-id}'))
          .stdout,
      ).toMatch(/^prj-/);
      expect(
        (await k('get', 'resourcequota', 'hexabase-quota', '-n', ns, '-o', 'jsonpath={.spec.hard.pods}'))
          .stdout,
      ).toBe('100');
      expect((await k('get', 'limitrange', 'hexabase-limits', '-n', ns)).code).toBe(0);
      // The custom role follows its assignment down to the child project.
      expect((await k('get', 'role', 'reader', '-n', ns)).code).toBe(0);
      const binding = (
        await k(
          'get',
          'rolebindings',
          '-n',
          ns,
          '-o',
          'jsonpath={.items[0].roleRef.name}={.items[0].subjects[0].name}',
        )
      ).stdout;
      expect(binding).toBe('reader=hexabase:devs');
    }
  });

  it('is idempotent, restores drift, prunes what is no longer wanted and leaves foreign objects alone', async () => {
    expect(await reconcile()).toEqual([]);
    const rb = (await k('get', 'rolebindings', '-n', 'web', '-o', 'name')).stdout.trim();
    expect((await k('delete', rb, '-n', 'web')).code).toBe(0);
    expect(
      (await k('create', 'rolebinding', 'mine', '--clusterrole=view', '--user=someone', '-n', 'web')).code,
    ).toBe(0);
    await reconcile();
    expect((await k('get', rb, '-n', 'web')).code).toBe(0);

    const ws = (await workspaceAccess(platform().authz, wsId, actor.userId))!;
    const projects = (
      await k('get', 'namespace', 'web-api', '-o', 'jsonpath={.metadata.labels.hexabase\\.ai/project-id}')
    ).stdout;
    await deleteProject(platform(), actor, { ws, projectId: projects });
    const removed = await reconcile();
    expect(removed).toContain('Namespace//web-api');
    const gone = await k('get', 'namespace', 'web-api', '-o', 'jsonpath={.status.phase}');
    expect(gone.code !== 0 || gone.stdout === 'Terminating').toBe(true);
    expect((await k('get', 'rolebinding', 'mine', '-n', 'web')).code).toBe(0);
  });

  it('follows a group rename in every binding', async () => {
    const db = platform().db;
    const ws = (await workspaceAccess(platform().authz, wsId, actor.userId))!;
    const { updateGroup } = await import('../workspaces/groups');
    const [devs] = await db
      .select()
      .from(groups)
      .where(and(eq(groups.workspaceId, wsId), eq(groups.name, 'devs')));
    await updateGroup(platform(), actor, { ws, groupId: devs!.id, name: 'developers' });
    await reconcile();
    const subjects = (
      await k('get', 'rolebindings', '-n', 'web', '-o', 'jsonpath={.items[*].subjects[0].name}')
    ).stdout;
    expect(subjects).toContain('hexabase:developers');
    expect(subjects).not.toContain('hexabase:devs');
  });
});
