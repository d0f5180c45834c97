import { randomBytes } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { workspaces } from '../db/schema';
import { WORKSPACES_SA } from '../deploy/rbac';
import { type Node, nodePool } from '../k8s/nodes';
import { credentialsFromKubeconfig, type Kube, kube } from '../k8s/rest';
import { teamOrganization } from '../testing/fixtures';
import { serviceAccountHost } from '../testing/host-accounts';
import type { Json } from '../testing/http';
import { waitFor } from '../testing/kube/supervisor';
import { usePlatform } from '../testing/platform';
import { convergeWorkspace, hostAdmin, hostProvisionerDeps } from '../testing/provisioning';
import { workspaceAccess } from '../workspaces/access';
import { createProject } from '../workspaces/projects';
import { createWorkspace, requestWorkspaceDeletion } from '../workspaces/workspaces';
import { reconcileWorkspace } from './reconcile';
import { reconcileIfChanged } from './tick';

const converge = convergeWorkspace;

describe('a workspace billing suspends, on the real host cluster (Flux/vCluster stand-in)', () => {
  const platform = usePlatform();
  /** The reconciler as the chart's ServiceAccount; the test's own nodes and reads as the host's admin. */
  const deps = () => hostProvisionerDeps(platform());
  const host = (): Kube => hostAdmin();
  const row = async (wsId: string) =>
    (await platform().db.select().from(workspaces).where(eq(workspaces.id, wsId)))[0];
  const condition = async (wsId: string, type: string) =>
    (await row(wsId))!.conditions.find((c) => c.type === type);

  const nodes: string[] = [];
  afterAll(async () => {
    for (const name of nodes) await host().delete({ kind: 'Node', name });
  });

  /** What billing does (shared/billing): the mark, the status and a new generation, in one statement. */
  const suspend = (wsId: string) =>
    platform()
      .db.update(workspaces)
      .set({ suspendedAt: new Date(), status: 'SUSPENDED', generation: sql`${workspaces.generation} + 1` })
      .where(eq(workspaces.id, wsId));
  const resume = (wsId: string) =>
    platform()
      .db.update(workspaces)
      .set({ suspendedAt: null, status: 'UPDATING', generation: sql`${workspaces.generation} + 1` })
      .where(eq(workspaces.id, wsId));

  /** A running workspace with the project "keep"; with `dedicated`, on one node of a pool of its own. */
  const runningWorkspace = async (dedicated = false) => {
    const team = await teamOrganization(platform());
    const labels = { 'test.hexabase.ai/pool': randomBytes(4).toString('hex') };
    if (dedicated) {
      const name = `pool-${labels['test.hexabase.ai/pool']}`;
      nodes.push(name);
      await host().apply({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name, labels: { 'hexabase.ai/node-pool': 'dedicated', ...labels } } as never,
      });
    }
    const { workspaceId } = await createWorkspace(
      // The workspaces function claims dedicated nodes as its own account, as in the chart.
      { db: platform().db, nodes: nodePool(serviceAccountHost(WORKSPACES_SA)) },
      { userId: team.admin.userId },
      {
        orgId: team.orgId,
        name: `suspend-${randomBytes(3).toString('hex')}`,
        ...(dedicated
          ? { planId: 'premium-dedicated', dedicatedNodeConfig: { nodeCount: 1, labels } }
          : { planId: 'standard' }),
      },
    );
    const ws = (await workspaceAccess(platform().authz, workspaceId, team.admin.userId))!;
    await createProject(platform(), { userId: team.admin.userId }, { ws, name: 'keep' });
    expect(await converge(deps(), workspaceId)).toBe('running');
    return { team, workspaceId };
  };
  /** The vCluster as its admin sees it, from the kubeconfig Secret vCluster exports on the host. */
  const admin = async (wsId: string) => {
    const secret = await host().get<{ data: { config: string } }>({
      kind: 'Secret',
      name: 'vc-vcluster',
      namespace: `hxb-${wsId}`,
    });
    return kube(credentialsFromKubeconfig(Buffer.from(secret!.data.config, 'base64').toString()));
  };
  const claimedBy = async (wsId: string) =>
    (await host().list<Node>({ kind: 'Node' }, `hexabase.ai/workspace=${wsId}`)).map((n) => n.metadata.name);

  it('scales the vCluster to zero and settles as SUSPENDED, then brings it back with its data once paid', async () => {
    const { workspaceId } = await runningWorkspace(true);
    const before = (await row(workspaceId))!;
    const claimed = await claimedBy(workspaceId);
    expect(claimed).toHaveLength(1);
    const inside = await admin(workspaceId);
    // The project's namespace is Hexabase's (a resumed pass would create it again); the tenant's own object and the
    // namespace's uid show that the data itself survives.
    const keep = await inside.get<{ metadata: { uid: string } }>({ kind: 'Namespace', name: 'keep' });
    const tenantData = { kind: 'ConfigMap', name: 'tenant-data', namespace: 'keep' };
    await inside.apply({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: tenantData.name, namespace: tenantData.namespace },
      data: { plan: 'unpaid' },
    } as never);

    await suspend(workspaceId);
    // One pass settles it: nothing waits for the vCluster, whose API server is on its way down.
    expect(await reconcileWorkspace(deps(), workspaceId)).toBe('suspended');
    const suspended = (await row(workspaceId))!;
    const message = 'Suspended for non-payment: the vCluster is scaled to zero; its data is kept';
    expect(suspended).toMatchObject({
      status: 'SUSPENDED',
      statusMessage: message,
      observedGeneration: suspended.generation,
    });
    for (const type of ['Ready', 'VClusterReady'])
      expect(await condition(workspaceId, type)).toMatchObject({
        status: 'False',
        reason: 'Suspended',
        message,
      });
    const hr = await host().get<{ spec: { values: Record<string, Json> } }>({
      kind: 'HelmRelease',
      name: 'vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    expect(hr!.spec.values.controlPlane.statefulSet.highAvailability).toEqual({ replicas: 0 });
    // Flux rolls the StatefulSet down: the API server stops answering.
    await waitFor(
      'the vCluster API server to stop answering',
      () =>
        inside.get({ kind: 'Namespace', name: 'keep' }).then(
          () => undefined,
          (err: NodeJS.ErrnoException) => (err.code === 'ECONNREFUSED' ? true : undefined),
        ),
      { timeoutMs: 60_000, intervalMs: 300 },
    );
    // Its dedicated nodes stay claimed, for when it comes back.
    expect(await claimedBy(workspaceId)).toEqual(claimed);
    // Settled: the tick leaves it alone until the resync period, then re-applies the same suspension.
    expect(await reconcileIfChanged(deps(), workspaceId, 600)).toBe('skipped');
    expect(await reconcileIfChanged(deps(), workspaceId, 0)).toBe('suspended');

    await resume(workspaceId);
    expect(await converge(deps(), workspaceId)).toBe('running');
    const resumed = (await row(workspaceId))!;
    expect(resumed).toMatchObject({
      status: 'RUNNING',
      statusMessage: null,
      observedGeneration: resumed.generation,
      endpoint: before.endpoint,
    });
    expect(await condition(workspaceId, 'Ready')).toMatchObject({ status: 'True' });
    const values = (await host().get<{ spec: { values: Record<string, Json> } }>({
      kind: 'HelmRelease',
      name: 'vcluster',
      namespace: `hxb-${workspaceId}`,
    }))!.spec.values;
    expect(values.controlPlane.statefulSet.highAvailability).toBeUndefined();
    // The same vCluster, with what it held before the suspension.
    const back = await admin(workspaceId);
    expect(await back.get({ kind: 'Namespace', name: 'keep' })).toMatchObject({
      metadata: { uid: keep!.metadata.uid },
    });
    expect(await back.get(tenantData)).toMatchObject({ data: { plan: 'unpaid' } });
    expect(await claimedBy(workspaceId)).toEqual(claimed);
  });

  it('still deletes a suspended workspace when its deletion is requested', async () => {
    const { team, workspaceId } = await runningWorkspace();
    await suspend(workspaceId);
    expect(await reconcileWorkspace(deps(), workspaceId)).toBe('suspended');
    await requestWorkspaceDeletion(
      platform(),
      { userId: team.admin.userId },
      { orgId: team.orgId, wsId: workspaceId },
    );
    expect(await converge(deps(), workspaceId)).toBe('gone');
    expect(await row(workspaceId)).toBeUndefined();
    expect(await host().get({ kind: 'Namespace', name: `hxb-${workspaceId}` })).toBeUndefined();
  });
});
