import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ValidatingAdmissionPolicy } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy';
import { ValidatingAdmissionPolicyBinding } from 'kubernetes-models/admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, renderRbac } from '../../scripts/gen-manifests';
import { nodePool } from '../k8s/nodes';
import { type Kube, KubeError, kube } from '../k8s/rest';
import { routeTable } from '../routes/table';
import { teamOrganization } from '../testing/fixtures';
import { serviceAccountCredentials, serviceAccountHost } from '../testing/host-accounts';
import { kubectl } from '../testing/kube/kubectl';
import { waitFor } from '../testing/kube/supervisor';
import { kubeEnvironment } from '../testing/kube/worker';
import { usePlatform } from '../testing/platform';
import { convergeWorkspace, hostProvisionerDeps } from '../testing/provisioning';
import { workspaceAccess } from '../workspaces/access';
import { createProject } from '../workspaces/projects';
import { createWorkspace, requestWorkspaceDeletion } from '../workspaces/workspaces';
import { knativeService } from './knative';
import { HOST_ACCOUNTS, hostRbac, PROVISIONER_SA, USAGE_SAMPLER_SA, WORKSPACES_SA } from './rbac';

const NAMESPACE = 'hexabase';

/** The refusal a call gets, or undefined when it went through. */
const refusal = (call: Promise<unknown>) =>
  call.then(
    () => undefined,
    (err: unknown) => (err instanceof KubeError ? err : Promise.reject(err)),
  );

describe("the provisioner with its service account's token on the real host cluster (least privilege by use)", () => {
  const platform = usePlatform();
  const env = kubeEnvironment();
  const admin = (args: string[], input?: string) =>
    kubectl(env.kubectl, args, { kubeconfig: env.hostKubeconfigPath, ...(input ? { input } : {}) });

  /**
   * The chart's RBAC applied as an operator would, and the provisioner's client made from its token alone: the
   * same helper every provisioner test's reconciler runs with (shared/testing/host-accounts.ts).
   */
  const provisionerClient = async (): Promise<Kube> => kube(await serviceAccountCredentials(PROVISIONER_SA));

  it('provisions, serves and deletes a workspace, and is refused what it must not do', async () => {
    const sa = await provisionerClient();
    const deps = hostProvisionerDeps(platform(), sa);
    const team = await teamOrganization(platform());
    const { workspaceId } = await createWorkspace(
      { db: platform().db, nodes: nodePool(serviceAccountHost(WORKSPACES_SA)) },
      { userId: team.admin.userId },
      { orgId: team.orgId, name: `rbac-${randomBytes(3).toString('hex')}`, planId: 'standard' },
    );
    const ws = (await workspaceAccess(platform().authz, workspaceId, team.admin.userId))!;
    await createProject(platform(), { userId: team.admin.userId }, { ws, name: 'apps' });
    expect(await convergeWorkspace(deps, workspaceId)).toBe('running');

    // Secrets: the exported kubeconfig by name, no other — not in the tenant's namespace, not elsewhere.
    const other = await admin([
      'create',
      'secret',
      'generic',
      'not-yours',
      '-n',
      `hxb-${workspaceId}`,
      '--from-literal=k=v',
    ]);
    expect(other.code, other.stderr).toBe(0);
    expect(
      await refusal(sa.get({ kind: 'Secret', name: 'not-yours', namespace: `hxb-${workspaceId}` })),
    ).toMatchObject({ status: 403 });
    expect(
      await refusal(sa.get({ kind: 'Secret', name: 'vc-vcluster', namespace: 'kube-system' })),
    ).toBeUndefined(); // absent: 404
    expect(await refusal(sa.list({ kind: 'Secret', namespace: 'kube-system' }, ''))).toMatchObject({
      status: 403,
    });
    // Writes outside tenant namespaces: refused by the admission policy whatever RBAC grants (it loads in a moment).
    const outside = await waitFor(
      'the admission policy to refuse a write outside hxb-*',
      async () => {
        const err = await refusal(
          sa.apply({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: { name: 'rbac-probe', namespace: 'default' },
          }),
        );
        if (!err)
          await sa.delete({ kind: 'ConfigMap', name: 'rbac-probe', namespace: 'default' }).catch(() => {});
        return err;
      },
      { timeoutMs: 30_000, intervalMs: 300 },
    );
    expect(outside.serverMessage).toContain('writes only in tenant namespaces');
    expect(
      await refusal(
        sa.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: `not-a-tenant-${workspaceId}` } }),
      ),
    ).toMatchObject({ serverMessage: expect.stringContaining('writes only in tenant namespaces') });
    // Cluster-admin things: refused by RBAC.
    expect(
      await refusal(
        sa.apply({
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRole',
          metadata: { name: `escalate-${workspaceId}` },
        }),
      ),
    ).toMatchObject({ status: 403 });

    await requestWorkspaceDeletion(
      platform(),
      { userId: team.admin.userId },
      { orgId: team.orgId, wsId: workspaceId },
    );
    expect(await convergeWorkspace(deps, workspaceId)).toBe('gone');
  });

  it("refuses the usage sampler and the workspaces function what only the provisioner's rules grant", async () => {
    const sampler = kube(await serviceAccountCredentials(USAGE_SAMPLER_SA));
    const workspaces = kube(await serviceAccountCredentials(WORKSPACES_SA));
    const kubeconfig = { kind: 'Secret', name: 'vc-vcluster', namespace: 'hxb-rbac-probe' };
    const release = { kind: 'HelmRelease', name: 'vcluster', namespace: 'hxb-rbac-probe' };
    // Each reads what it needs (absent here: 404, not 403)…
    expect(await refusal(sampler.get(kubeconfig))).toBeUndefined();
    expect(await refusal(sampler.get(release))).toBeUndefined();
    expect(await refusal(workspaces.list({ kind: 'Node' }, 'hexabase.ai/rbac-probe=none'))).toBeUndefined();
    // …and nothing of the others'.
    expect(await refusal(sampler.list({ kind: 'Node' }, ''))).toMatchObject({ status: 403 });
    expect(
      await refusal(
        sampler.apply({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'hxb-rbac-probe' } }),
      ),
    ).toMatchObject({ status: 403 });
    expect(await refusal(workspaces.get(kubeconfig))).toMatchObject({ status: 403 });
    expect(await refusal(workspaces.get(release))).toMatchObject({ status: 403 });
    expect(await refusal(workspaces.list({ kind: 'Secret', namespace: 'kube-system' }, ''))).toMatchObject({
      status: 403,
    });
  });
});

describe('the host RBAC manifests', () => {
  it('are valid objects, committed in their generated form, and name the accounts the functions run as', () => {
    const models: Record<string, { validate: () => void }> = {};
    for (const o of hostRbac({ namespace: NAMESPACE }) as { kind: string; metadata: { name: string } }[]) {
      const Model = MODELS[o.kind]!;
      models[`${o.kind}/${o.metadata.name}`] = new Model(o as never);
    }
    for (const m of Object.values(models)) m.validate();
    expect(readFileSync(join(import.meta.dirname, '../../knative/rbac.yaml'), 'utf8')).toBe(renderRbac());
    for (const [fn, account] of Object.entries(HOST_ACCOUNTS)) {
      expect(models[`ServiceAccount/${account}`], fn).toBeDefined();
      const svc = knativeService(routeTable.find((r) => r.name === fn)!, DEFAULTS, {}) as {
        spec: { template: { spec: { serviceAccountName?: string } } };
      };
      expect(svc.spec.template.spec.serviceAccountName).toBe(account);
    }
    // Nothing that can read every Secret, or act on RBAC itself.
    for (const rule of hostRbac({ namespace: NAMESPACE }).flatMap(
      (o) => (o as { rules?: Rule[] }).rules ?? [],
    )) {
      expect(rule.resources).not.toContain('*');
      expect(rule.verbs).not.toContain('*');
      if (rule.resources.includes('secrets')) expect(rule.resourceNames).toEqual(['vc-vcluster']);
      expect(rule.apiGroups).not.toContain('rbac.authorization.k8s.io');
    }
  });
});

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[]; resourceNames?: string[] };

const MODELS: Record<string, new (o: never) => { validate: () => void }> = {
  ServiceAccount,
  ClusterRole,
  ClusterRoleBinding,
  ValidatingAdmissionPolicy,
  ValidatingAdmissionPolicyBinding,
};
