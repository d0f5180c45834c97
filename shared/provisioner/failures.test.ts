import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { tasks, workspaces } from '../db/schema';
import { type Kube, kube } from '../k8s/rest';
import { teamOrganization } from '../testing/fixtures';
import { waitFor } from '../testing/kube/supervisor';
import { kubeEnvironment } from '../testing/kube/worker';
import { usePlatform } from '../testing/platform';
import { hostAdmin, hostProvisionerDeps } from '../testing/provisioning';
import { createWorkspace, requestWorkspaceDeletion } from '../workspaces/workspaces';
import { type Outcome, type ProvisionerDeps, Requeue, reconcileWorkspace } from './reconcile';

const kubeEnv = kubeEnvironment();

describe('a pass that fails records why on the row', () => {
  const platform = usePlatform();
  /** The reconciler as the chart's ServiceAccount, unless a test gives it another host identity. */
  const deps = (host?: Kube) => hostProvisionerDeps(platform(), host);
  const workspace = async () => {
    const team = await teamOrganization(platform());
    return {
      team,
      ...(await createWorkspace(
        platform(),
        { userId: team.admin.userId },
        {
          orgId: team.orgId,
          name: `f-${randomBytes(3).toString('hex')}`,
          planId: 'free',
        },
      )),
    };
  };
  const row = async (wsId: string) =>
    (await platform().db.select().from(workspaces).where(eq(workspaces.id, wsId)))[0]!;
  const condition = async (wsId: string, type: string) =>
    (await row(wsId)).conditions.find((c) => c.type === type);
  const converge = async (d: ProvisionerDeps, wsId: string): Promise<Outcome> => {
    for (;;) {
      try {
        return await reconcileWorkspace(d, wsId);
      } catch (err) {
        if (!(err instanceof Requeue)) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  };

  it('leaves HostNamespaceReady False with reason Unreachable when the host cannot be reached, and propagates', async () => {
    const { workspaceId } = await workspace();
    const unreachable = kube({ server: 'https://127.0.0.1:1', ca: kubeEnv.hostCaPem });
    await expect(reconcileWorkspace(deps(unreachable), workspaceId)).rejects.toThrow(/ECONNREFUSED/);
    expect(await condition(workspaceId, 'HostNamespaceReady')).toMatchObject({
      status: 'False',
      reason: 'Unreachable',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
    // The summary carries it, and the row moved on from PENDING_CREATION: the pass's status was flushed too.
    expect(await condition(workspaceId, 'Ready')).toMatchObject({ status: 'False', reason: 'Unreachable' });
    expect((await row(workspaceId)).status).toBe('PROVISIONING');
  });

  it('leaves the refused step False with HostAPIRejected, the steps before it True, and the workspace ERROR', async () => {
    const admin = hostAdmin(); // the test's own RBAC setup
    // A host identity allowed everything the host objects need, but not to read Secrets (the vCluster's kubeconfig).
    const user = `provisioner-${randomBytes(3).toString('hex')}`;
    const rbac = { apiVersion: 'rbac.authorization.k8s.io/v1' };
    await admin.apply({
      ...rbac,
      kind: 'ClusterRole',
      metadata: { name: user },
      rules: [
        { apiGroups: [''], resources: ['namespaces', 'configmaps', 'services'], verbs: ['*'] },
        { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies', 'ingresses'], verbs: ['*'] },
        { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ['*'] },
        { apiGroups: ['traefik.io'], resources: ['ingressroutetcps'], verbs: ['*'] },
      ],
    } as never);
    await admin.apply({
      ...rbac,
      kind: 'ClusterRoleBinding',
      metadata: { name: user },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: user },
      subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'User', name: user }],
    } as never);
    const cert = await kubeEnv.hostUser(user);
    const limited = kube({
      server: kubeEnv.hostUrl,
      ca: kubeEnv.hostCaPem,
      cert: cert.certPem,
      key: cert.keyPem,
    });
    // RBAC reaches the API server's authorizer a moment after the write.
    await waitFor(
      'binding in effect',
      () => limited.list({ kind: 'Namespace' }, 'none=none').then(() => true),
      {
        timeoutMs: 30_000,
      },
    );

    const { team, workspaceId, taskId } = await workspace();
    expect(await reconcileWorkspace(deps(limited), workspaceId)).toBe('error');
    const ws = await row(workspaceId);
    expect(ws.status).toBe('ERROR');
    expect(ws.statusMessage).toMatch(
      /host cluster refused a request \(Forbidden\): .*cannot get resource "secrets"/,
    );
    expect(ws.conditions.find((c) => c.type === 'HostNamespaceReady')).toMatchObject({ status: 'True' });
    expect(ws.conditions.find((c) => c.type === 'VClusterReady')).toMatchObject({
      status: 'False',
      reason: 'HostAPIRejected',
      message: ws.statusMessage,
    });
    expect(ws.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'HostAPIRejected',
    });
    const [task] = await platform().db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(task).toMatchObject({ status: 'failed', progress: 100, message: ws.statusMessage });

    // With the chart's rights (its ServiceAccount), the next pass gets through; then the workspace goes again.
    expect(await converge(deps(), workspaceId)).toBe('running');
    await requestWorkspaceDeletion(
      platform(),
      { userId: team.admin.userId },
      { orgId: team.orgId, wsId: workspaceId },
    );
    expect(await converge(deps(), workspaceId)).toBe('gone');
    await admin.delete({ kind: 'ClusterRoleBinding', name: user });
    await admin.delete({ kind: 'ClusterRole', name: user });
  });
});
