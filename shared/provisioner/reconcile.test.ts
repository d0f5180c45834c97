import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { projects, tasks, workspaces } from '../db/schema';
import { parseEnv } from '../env';
import { credentialsFromKubeconfig, KubeError, kube } from '../k8s/rest';
import { teamOrganization } from '../testing/fixtures';
import { kubeEnvironment } from '../testing/kube/worker';
import { usePlatform } from '../testing/platform';
import { convergeWorkspace, hostAdmin, hostProvisionerDeps } from '../testing/provisioning';
import { workspaceAccess } from '../workspaces/access';
import { createProject } from '../workspaces/projects';
import { createWorkspace, requestWorkspaceDeletion } from '../workspaces/workspaces';
import { chartOptions } from './host';
import { reconcileWorkspace } from './reconcile';

const kubeEnv = kubeEnvironment();

const converge = convergeWorkspace;

describe('provisioner on the real host cluster (Flux/vCluster stand-in)', () => {
  const platform = usePlatform();
  // The reconciler runs as the chart's ServiceAccount (its token alone); the test reads what it made as admin.
  const deps = () => hostProvisionerDeps(platform());
  const workspace = async (planId = 'standard') => {
    const team = await teamOrganization(platform());
    const created = await createWorkspace(
      platform(),
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        name: `w-${Date.now()}`,
        planId,
      },
    );
    return { team, ...created };
  };

  it('provisions a workspace to RUNNING with its vCluster, RBAC and projects', async () => {
    const { team, workspaceId, taskId } = await workspace();
    const ws = (await workspaceAccess(platform().authz, workspaceId, team.admin.userId))!;
    await createProject(platform(), { userId: team.admin.userId }, { ws, name: 'web' });
    expect(await converge(deps(), workspaceId)).toBe('running');
    const [row] = await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(row).toMatchObject({
      status: 'RUNNING',
      statusMessage: null,
      observedGeneration: row!.generation,
    });
    // The public name kubectl outside the host cluster uses, never the in-cluster .svc address.
    expect(row!.endpoint).toBe(`https://${workspaceId}.vcluster.localhost:${kubeEnv.ingressPort}`);
    expect(row!.conditions.map((c) => [c.type, c.status]).sort()).toEqual([
      ['EndpointReady', 'True'],
      ['HostNamespaceReady', 'True'],
      ['ProjectsSynced', 'True'],
      ['RBACSynced', 'True'],
      ['Ready', 'True'],
      ['VClusterReady', 'True'],
    ]);
    const [web] = await platform().db.select().from(projects).where(eq(projects.workspaceId, workspaceId));
    expect(web).toMatchObject({ name: 'web', status: 'ACTIVE', statusMessage: null });
    const [task] = await platform().db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(task).toMatchObject({ status: 'succeeded', progress: 100 });

    const host = hostAdmin();
    const ns = await host.get<{ metadata: { labels: Record<string, string> } }>({
      kind: 'Namespace',
      name: `hxb-${workspaceId}`,
    });
    expect(ns!.metadata.labels).toMatchObject({
      'hexabase.ai/workspace-id': workspaceId,
      'app.kubernetes.io/managed-by': 'hexabase',
    });
    const secret = await host.get<{ data: { config: string } }>({
      kind: 'Secret',
      name: 'vc-vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    const inside = kube(credentialsFromKubeconfig(Buffer.from(secret!.data.config, 'base64').toString()));
    expect(await inside.get({ kind: 'ClusterRole', name: 'hexabase:workspace-admin' })).toBeDefined();
    expect(
      await inside.get({ kind: 'ResourceQuota', name: 'hexabase-quota', namespace: 'web' }),
    ).toBeDefined();
    // A second reconcile changes nothing and stays RUNNING.
    expect(await converge(deps(), workspaceId)).toBe('running');
    // What the reconciler ran as may read the exported kubeconfig by name and nothing more: not even list the
    // Secrets of the namespace it made.
    const refused = await deps()
      .host!.list({ kind: 'Secret', namespace: `hxb-${workspaceId}` }, '')
      .catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(KubeError);
    expect(refused).toMatchObject({
      status: 403,
      serverMessage: expect.stringContaining('system:serviceaccount:hexabase:hexabase-provisioner'),
    });

    // Deletion: intent first, then the release and namespace go, then the rows.
    await requestWorkspaceDeletion(
      platform(),
      { userId: team.admin.userId },
      { orgId: team.orgId, wsId: workspaceId },
    );
    expect(await converge(deps(), workspaceId)).toBe('gone');
    expect(await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId))).toEqual([]);
    expect(await host.get({ kind: 'Namespace', name: `hxb-${workspaceId}` })).toBeUndefined();
  });

  it('waits in PENDING_CREATION with a message when no host cluster is configured', async () => {
    const { workspaceId } = await workspace();
    expect(await reconcileWorkspace({ ...deps(), host: undefined }, workspaceId)).toBe('no-host');
    const [row] = await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(row).toMatchObject({
      status: 'PENDING_CREATION',
      statusMessage: expect.stringMatching(/No host cluster is configured/),
    });
  });

  it('stops with ERROR and a readable message when the chart refuses the values', async () => {
    const { workspaceId, taskId } = await workspace();
    const bad = {
      ...deps(),
      chart: { ...deps().chart, valuesOverlay: { controlPlane: { distro: { k3s: { enabled: true } } } } },
    };
    expect(await converge(bad, workspaceId)).toBe('error');
    const [row] = await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(row!.status).toBe('ERROR');
    expect(row!.statusMessage).toMatch(/could not be installed: .*distro k3s is not supported/);
    const [task] = await platform().db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(task!.status).toBe('failed');
  });

  it('reports a vCluster that cannot start (an http issuer is refused by kube-apiserver) as ERROR', async () => {
    const { workspaceId } = await workspace();
    const http = parseEnv({
      KUBECONFIG: kubeEnv.hostKubeconfigPath,
      HEXABASE_PUBLIC_URL: 'http://localhost:8080',
      ...kubeEnv.exposureEnv,
    });
    expect(await converge({ ...deps(), chart: chartOptions(http) }, workspaceId)).toBe('error');
    const [row] = await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(row!.statusMessage).toMatch(/URL scheme must be https/);
  });

  it('converges with no duplicate and no orphan after a crash between any two steps', async () => {
    const { team, workspaceId } = await workspace('free');
    const ws = (await workspaceAccess(platform().authz, workspaceId, team.admin.userId))!;
    await createProject(platform(), { userId: team.admin.userId }, { ws, name: 'api' });
    const real = deps();
    // The worker dies after its n-th call to the Kubernetes API, for every n until a run gets through.
    for (let n = 1; n < 40; n++) {
      let calls = 0;
      const crashAt =
        (f: (...a: never[]) => Promise<unknown>) =>
        (...a: never[]) => {
          if (++calls >= n) return Promise.reject(new Error('worker killed'));
          return f(...a);
        };
      const host = real.host!;
      const dying = {
        apply: crashAt(host.apply),
        get: crashAt(host.get),
        list: crashAt(host.list),
        delete: crashAt(host.delete),
        patch: crashAt(host.patch),
      } as typeof host;
      try {
        await reconcileWorkspace({ ...real, host: dying }, workspaceId);
        break;
      } catch {
        // crashed (or not converged yet): the next worker picks up from whatever state is left
      }
    }
    expect(await converge(real, workspaceId)).toBe('running');
    const host = hostAdmin(); // the reconciler only gets its release by name: listing them is the test's
    const releases = await host.list(
      { kind: 'HelmRelease', namespace: `hxb-${workspaceId}` },
      'app.kubernetes.io/managed-by=hexabase',
    );
    expect(releases).toHaveLength(1);
    const [row] = await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(row!.status).toBe('RUNNING');
  });

  it('applies a plan change in place (quota follows the plan)', async () => {
    const { team, workspaceId } = await workspace('standard');
    const ws = (await workspaceAccess(platform().authz, workspaceId, team.admin.userId))!;
    await createProject(platform(), { userId: team.admin.userId }, { ws, name: 'svc' });
    expect(await converge(deps(), workspaceId)).toBe('running');
    const { changeWorkspacePlan } = await import('../workspaces/workspaces');
    await changeWorkspacePlan(
      platform(),
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        wsId: workspaceId,
        planId: 'free',
      },
    );
    expect(await converge(deps(), workspaceId)).toBe('running');
    const host = hostAdmin();
    const secret = await host.get<{ data: { config: string } }>({
      kind: 'Secret',
      name: 'vc-vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    const inside = kube(credentialsFromKubeconfig(Buffer.from(secret!.data.config, 'base64').toString()));
    const quota = await inside.get<{ spec: { hard: Record<string, string> } }>({
      kind: 'ResourceQuota',
      name: 'hexabase-quota',
      namespace: 'svc',
    });
    expect(quota!.spec.hard.pods).toBe('20');
    const hostQuota = await host.get<{ spec: { hard: Record<string, string> } }>({
      kind: 'ResourceQuota',
      name: 'vc-vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    expect(hostQuota!.spec.hard.pods).toBe('20');
  });
});
