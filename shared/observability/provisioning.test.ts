import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { workspaces } from '../db/schema';
import { type Kube, kube } from '../k8s/rest';
import { type ProvisionerMetrics, reconcileWorkspace } from '../provisioner/reconcile';
import { teamOrganization } from '../testing/fixtures';
import { kubeEnvironment } from '../testing/kube/worker';
import { usePlatform } from '../testing/platform';
import { convergeWorkspace, hostProvisionerDeps } from '../testing/provisioning';
import { createWorkspace, requestWorkspaceDeletion } from '../workspaces/workspaces';
import { registerProvisionerMetrics } from './provisioning';

const kubeEnv = kubeEnvironment();

describe('provisioning metrics', () => {
  const platform = usePlatform();
  const registry = new Registry();
  let metrics: ProvisionerMetrics;
  beforeAll(() => {
    metrics = registerProvisionerMetrics(registry, platform().db);
  });
  const deps = (host?: Kube) => ({ ...hostProvisionerDeps(platform(), host), metrics });
  /** One sample as the registry reports it (after collecting the database gauges). */
  const sample = async (name: string, labels: Record<string, string>, series = name) => {
    const { values } = (await registry.getSingleMetric(name)!.get()) as {
      values: { value: number; labels: Record<string, string | number>; metricName?: string }[];
    };
    const v = values.find(
      (s) => (s.metricName ?? name) === series && Object.entries(labels).every(([k, l]) => s.labels[k] === l),
    );
    return v?.value;
  };
  const provisioned = (outcome: string) =>
    sample(
      'hexabase_workspace_provisioning_duration_seconds',
      { outcome },
      'hexabase_workspace_provisioning_duration_seconds_count',
    );
  const passes = (outcome: string) =>
    sample('hexabase_reconcile_duration_seconds', { outcome }, 'hexabase_reconcile_duration_seconds_count');
  const workspace = async () => {
    const team = await teamOrganization(platform());
    const actor = { userId: team.admin.userId };
    const { workspaceId } = await createWorkspace(platform(), actor, {
      orgId: team.orgId,
      name: `m-${randomBytes(3).toString('hex')}`,
      planId: 'free',
    });
    const remove = async () => {
      await requestWorkspaceDeletion(platform(), actor, { orgId: team.orgId, wsId: workspaceId });
      expect(await convergeWorkspace(deps(), workspaceId)).toBe('gone');
    };
    return { workspaceId, remove };
  };

  it('observes a workspace once, at its first RUNNING, however many passes race to it or follow it', async () => {
    const before = { running: (await provisioned('running'))!, passes: (await passes('running')) ?? 0 };
    const { workspaceId, remove } = await workspace();
    const [created] = await platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    const started = Date.now();
    // Two deliveries converging side by side, as the dispatcher runs them; then a later pass of a serving workspace.
    const outcomes = await Promise.all([
      convergeWorkspace(deps(), workspaceId),
      convergeWorkspace(deps(), workspaceId),
    ]);
    expect(outcomes).toEqual(['running', 'running']);
    const convergedAt = Date.now();
    expect(await reconcileWorkspace(deps(), workspaceId)).toBe('running');

    expect(await provisioned('running')).toBe(before.running + 1);
    expect(await provisioned('error')).toBe(0);
    const seconds = (await sample(
      'hexabase_workspace_provisioning_duration_seconds',
      { outcome: 'running' },
      'hexabase_workspace_provisioning_duration_seconds_sum',
    ))!;
    // From the row's creation (before the first pass) to the RUNNING write (before convergence returned).
    const since = (t: number) => (t - created!.createdAt.getTime()) / 1000;
    expect(seconds).toBeGreaterThanOrEqual(since(started) - 0.5);
    expect(seconds).toBeLessThanOrEqual(since(convergedAt) + 0.5);
    // Every pass counts: at least the three that answered `running`, and the waits before them as `requeue`.
    expect(await passes('running')).toBeGreaterThanOrEqual(before.passes + 3);
    expect(await passes('requeue')).toBeGreaterThan(0);
    await remove();
  });

  it('observes a terminal ERROR as the first verdict, once, however often the failing pass runs again', async () => {
    // A real host identity with no rights at all: every request is Forbidden, which no retry can change.
    const user = await kubeEnv.hostUser(`nobody-${randomBytes(3).toString('hex')}`);
    const nobody = kube({
      server: kubeEnv.hostUrl,
      ca: kubeEnv.hostCaPem,
      cert: user.certPem,
      key: user.keyPem,
    });
    const errors = (await provisioned('error'))!;
    const { workspaceId, remove } = await workspace();
    expect(await reconcileWorkspace(deps(nobody), workspaceId)).toBe('error');
    expect(await reconcileWorkspace(deps(nobody), workspaceId)).toBe('error');
    expect(await provisioned('error')).toBe(errors + 1);
    expect(await passes('error')).toBeGreaterThanOrEqual(2);
    await remove();
  });

  it('counts passes that fail transiently as `failed`, and observes no verdict for them', async () => {
    const failed = (await passes('failed')) ?? 0;
    const errors = (await provisioned('error'))!;
    const { workspaceId, remove } = await workspace();
    const unreachable = kube({ server: 'https://127.0.0.1:1', ca: kubeEnv.hostCaPem });
    await expect(reconcileWorkspace(deps(unreachable), workspaceId)).rejects.toThrow();
    expect(await passes('failed')).toBe(failed + 1);
    expect(await provisioned('error')).toBe(errors);
    await remove();
  });

  it('exports every workspace status (0 where none) and the age of the oldest workspace still provisioning', async () => {
    const { workspaceId, remove } = await workspace();
    const { values } = await registry.getSingleMetric('hexabase_workspaces')!.get();
    expect(values.map((v) => v.labels.status).sort()).toEqual([
      'CONFIGURING',
      'DELETING',
      'ERROR',
      'PENDING_CREATION',
      'PROVISIONING',
      'RUNNING',
      'SUSPENDED',
      'UPDATING',
    ]);
    const count = (status: string) => values.find((v) => v.labels.status === status)!.value;
    const rows = await platform().db.select().from(workspaces);
    for (const v of values) expect(v.value).toBe(rows.filter((r) => r.status === v.labels.status).length);
    expect(count('PENDING_CREATION')).toBeGreaterThanOrEqual(1);
    expect(await sample('hexabase_workspace_provisioning_oldest_seconds', {})).toBeGreaterThan(0);
    expect(await convergeWorkspace(deps(), workspaceId)).toBe('running');
    expect(await sample('hexabase_workspace_provisioning_oldest_seconds', {})).toBe(0);
    await remove();
  });
});
