import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { Registry } from 'prom-client';
import { beforeAll, describe, expect, it } from 'vitest';
import { usageSampling, workspaces } from '../db/schema';
import { teamOrganization } from '../testing/fixtures';
import { usePlatform } from '../testing/platform';
import { recordSample } from '../usage/store';
import { createWorkspace } from '../workspaces/workspaces';
import { registerUsageMetrics } from './usage';

type Sample = { value: number; labels: Record<string, string | number> };

describe('usage against quota per workspace', () => {
  const platform = usePlatform();
  const registry = new Registry();
  beforeAll(() => registerUsageMetrics(registry, platform().db, { intervalSeconds: 30 }));
  const series = async (name: string) =>
    ((await registry.getSingleMetric(name)!.get()).values as Sample[]).map(
      (v) => ({ ...v.labels, value: v.value }) as { workspace_id: string; resource?: string; value: number },
    );
  /** A workspace in `status` whose sampler last sampled `data` (per project, per resource: [used, hard]). */
  const sampled = async (
    status: (typeof workspaces.$inferSelect)['status'],
    data: Record<string, Record<string, [number, number]>>,
    state: { failed?: boolean } = {},
  ) => {
    const team = await teamOrganization(platform());
    const { workspaceId } = await createWorkspace(
      platform(),
      { userId: team.admin.userId },
      { orgId: team.orgId, name: `u-${randomBytes(3).toString('hex')}`, planId: 'free' },
    );
    await platform().db.update(workspaces).set({ status }).where(eq(workspaces.id, workspaceId));
    const at = new Date();
    await recordSample(platform().db, { workspaceId, at, data }, { maxGapMs: 90_000 });
    await platform()
      .db.insert(usageSampling)
      .values({
        workspaceId,
        sampledAt: at,
        ...(state.failed ? { failedAt: new Date(), error: 'timeout' } : {}),
      });
    return { workspaceId, team };
  };

  it('exports used and hard per workspace and resource in base units, summed over projects, and staleness as 0 or 1', async () => {
    const fresh = await sampled('RUNNING', {
      'prj-a': { 'requests.cpu': [0.5, 2], 'requests.memory': [1_073_741_824, 4_294_967_296] },
      'prj-b': { 'requests.cpu': [0.25, 2], pods: [3, 20] },
    });
    const failing = await sampled('UPDATING', { 'prj-c': { pods: [19, 20] } }, { failed: true });
    const used = await series('hexabase_workspace_quota_used');
    const hard = await series('hexabase_workspace_quota_hard');
    const of = (rows: typeof used, id: string) =>
      rows
        .filter((r) => r.workspace_id === id)
        .sort((a, b) => String(a.resource).localeCompare(String(b.resource)));
    expect(of(used, fresh.workspaceId)).toEqual([
      { workspace_id: fresh.workspaceId, resource: 'pods', value: 3 },
      { workspace_id: fresh.workspaceId, resource: 'requests.cpu', value: 0.75 },
      { workspace_id: fresh.workspaceId, resource: 'requests.memory', value: 1_073_741_824 },
    ]);
    expect(of(hard, fresh.workspaceId).map((r) => r.value)).toEqual([20, 4, 4_294_967_296]);
    expect(of(used, failing.workspaceId)).toEqual([
      { workspace_id: failing.workspaceId, resource: 'pods', value: 19 },
    ]);
    const stale = await series('hexabase_workspace_usage_stale');
    expect(stale).toContainEqual({ workspace_id: fresh.workspaceId, value: 0 });
    expect(stale).toContainEqual({ workspace_id: failing.workspaceId, value: 1 });
    // Only the workspace id and the resource name: never the organization, a project or a user.
    for (const row of [...used, ...hard, ...stale])
      expect(
        Object.keys(row)
          .filter((k) => k !== 'value')
          .sort(),
      ).toEqual('resource' in row ? ['resource', 'workspace_id'] : ['workspace_id']);
    const text = await registry.metrics();
    for (const id of [fresh.team.orgId, fresh.team.admin.userId, 'prj-a', 'prj-b'])
      expect(text).not.toContain(id);
  });

  it('leaves out workspaces that are not sampled (suspended, in error, being deleted), and drops deleted ones', async () => {
    const suspended = await sampled('SUSPENDED', { 'prj-d': { pods: [5, 20] } });
    const failed = await sampled('ERROR', { 'prj-e': { pods: [5, 20] } });
    const deleting = await sampled('RUNNING', { 'prj-f': { pods: [5, 20] } });
    await platform()
      .db.update(workspaces)
      .set({ deletionRequestedAt: new Date() })
      .where(eq(workspaces.id, deleting.workspaceId));
    const gone = await sampled('RUNNING', { 'prj-g': { pods: [5, 20] } });
    expect((await series('hexabase_workspace_usage_stale')).map((r) => r.workspace_id)).toContain(
      gone.workspaceId,
    );
    await platform().db.delete(workspaces).where(eq(workspaces.id, gone.workspaceId));
    const ids = [suspended, failed, deleting, gone].map((w) => w.workspaceId);
    for (const name of [
      'hexabase_workspace_quota_used',
      'hexabase_workspace_quota_hard',
      'hexabase_workspace_usage_stale',
    ])
      for (const row of await series(name)) expect(ids, name).not.toContain(row.workspace_id);
  });
});
