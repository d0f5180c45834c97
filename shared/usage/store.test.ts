import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { type UsageData, usageSamples, usageSampling } from '../db/schema';
import { nodePool } from '../k8s/nodes';
import { teamOrganization } from '../testing/fixtures';
import { usePlatform } from '../testing/platform';
import { createWorkspace } from '../workspaces/workspaces';
import {
  currentUsage,
  hourlyUsage,
  latestUsage,
  pruneSamples,
  recordSample,
  tierFor,
  usageSeries,
} from './store';

const GAP = 90_000;
const T0 = Date.parse('2026-11-30T10:00:00Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const sample = (cpu: number, pods: number, project = 'prj-a'): UsageData => ({
  [project]: { 'requests.cpu': [cpu, 8], pods: [pods, 100] },
});

describe('the usage store (real PostgreSQL)', () => {
  const platform = usePlatform();
  const db = () => platform().db;
  const workspace = async () => {
    const team = await teamOrganization(platform());
    const { workspaceId } = await createWorkspace(
      { db: db(), nodes: nodePool(undefined) },
      { userId: team.admin.userId },
      { orgId: team.orgId, name: `usage-${Math.random().toString(36).slice(2, 8)}`, planId: 'standard' },
    );
    return workspaceId;
  };
  const rows = (wsId: string, tier: number) =>
    db()
      .select()
      .from(usageSamples)
      .where(and(eq(usageSamples.workspaceId, wsId), eq(usageSamples.tier, tier)))
      .orderBy(usageSamples.at);

  it('keeps an unchanged workspace as one run, and starts a new run on a change or after a gap', async () => {
    const ws = await workspace();
    for (let i = 0; i < 10; i++)
      await recordSample(db(), { workspaceId: ws, at: at(i * 30), data: sample(1, 2) }, { maxGapMs: GAP });
    expect(await rows(ws, 0)).toEqual([expect.objectContaining({ at: at(0), until: at(270), samples: 10 })]);
    await recordSample(db(), { workspaceId: ws, at: at(300), data: sample(1.5, 3) }, { maxGapMs: GAP });
    // Five minutes without a sample, then the same numbers: a gap stays a gap.
    await recordSample(db(), { workspaceId: ws, at: at(600), data: sample(1.5, 3) }, { maxGapMs: GAP });
    expect((await rows(ws, 0)).map((r) => [r.at, r.until])).toEqual([
      [at(0), at(270)],
      [at(300), at(300)],
      [at(600), at(600)],
    ]);
  });

  it('averages samples into 5-minute and hourly buckets', async () => {
    const ws = await workspace();
    await recordSample(db(), { workspaceId: ws, at: at(0), data: sample(1, 2) }, { maxGapMs: GAP });
    await recordSample(db(), { workspaceId: ws, at: at(30), data: sample(2, 4) }, { maxGapMs: GAP });
    await recordSample(db(), { workspaceId: ws, at: at(300), data: sample(4, 6) }, { maxGapMs: GAP });
    const fiveMinutes = await rows(ws, 1);
    // Numbers in layout order: pods, then requests.cpu.
    expect(fiveMinutes.map((r) => [r.at, r.samples, r.used])).toEqual([
      [at(0), 2, [3, 1.5]],
      [at(300), 1, [6, 4]],
    ]);
    const hour = await hourlyUsage(db(), ws, at(0));
    expect(hour?.samples).toBe(3);
    expect(hour!.totals['requests.cpu']![0]).toBeCloseTo(7 / 3);
    expect(hour?.totals.pods).toEqual([4, 100]);
    expect(await hourlyUsage(db(), ws, at(3600))).toBeUndefined();
  });

  it('joins closed buckets equal to the run before them, so an idle workspace keeps one row per tier', async () => {
    const ws = await workspace();
    for (let i = 0; i <= 40; i++)
      await recordSample(db(), { workspaceId: ws, at: at(i * 30), data: sample(1, 2) }, { maxGapMs: GAP });
    // 0–1200 s: four closed 5-minute buckets joined into one run, and the open one.
    expect((await rows(ws, 1)).map((r) => [r.at, r.until, r.samples])).toEqual([
      [at(0), at(1170), 40],
      [at(1200), at(1200), 1],
    ]);
    expect(await rows(ws, 0)).toHaveLength(1);
    const series = await usageSeries(
      db(),
      ws,
      { from: at(0), to: at(1199), stepSeconds: 300 },
      at(8 * 86_400),
    );
    expect(series.series.find((s) => s.resource === 'pods')!.points.map(([t]) => t - T0 / 1000)).toEqual([
      0, 300, 600, 900,
    ]);
    await recordSample(db(), { workspaceId: ws, at: at(3600), data: sample(1, 2) }, { maxGapMs: GAP });
    expect((await hourlyUsage(db(), ws, at(0)))?.totals.pods).toEqual([2, 100]);
  });

  it('answers a series per step from the finest tier that covers the range, with gaps where nothing was sampled', async () => {
    const ws = await workspace();
    for (let i = 0; i < 4; i++)
      await recordSample(db(), { workspaceId: ws, at: at(i * 30), data: sample(1, 2) }, { maxGapMs: GAP });
    await recordSample(db(), { workspaceId: ws, at: at(240), data: sample(3, 2) }, { maxGapMs: GAP });
    const now = at(600);
    const q = { from: at(0), to: at(599), stepSeconds: 60 };
    expect(tierFor(q, now).tier).toBe(0);
    const { series } = await usageSeries(db(), ws, q, now);
    const cpu = series.find((s) => s.resource === 'requests.cpu')!.points;
    // The run 0–90 s covers the first two steps; nothing was sampled from 90 to 240 s.
    expect(cpu).toEqual([
      [T0 / 1000, 1],
      [T0 / 1000 + 60, 1],
      [T0 / 1000 + 240, 3],
    ]);
    expect(
      tierFor({ from: new Date(now.getTime() - 7 * 86_400_000), to: now, stepSeconds: 3600 }, now).tier,
    ).toBe(1);
    expect(
      tierFor({ from: new Date(now.getTime() - 40 * 86_400_000), to: now, stepSeconds: 3600 }, now).tier,
    ).toBe(2);
  });

  it('sums projects, or answers one', async () => {
    const ws = await workspace();
    const data: UsageData = { ...sample(1, 2, 'prj-a'), ...sample(0.25, 1, 'prj-b') };
    await recordSample(db(), { workspaceId: ws, at: at(0), data }, { maxGapMs: GAP });
    const both = await usageSeries(db(), ws, { from: at(0), to: at(59), stepSeconds: 60 }, at(60));
    expect(both.series.find((s) => s.resource === 'requests.cpu')!.points).toEqual([[T0 / 1000, 1.25]]);
    const one = await usageSeries(
      db(),
      ws,
      { from: at(0), to: at(59), stepSeconds: 60, projectId: 'prj-b' },
      at(60),
    );
    expect(one.series.find((s) => s.resource === 'pods')!.points).toEqual([[T0 / 1000, 1]]);
  });

  it('reads as stale before the first sample, after a failure and once the last sample is old', async () => {
    const ws = await workspace();
    const opts = { intervalSeconds: 30 };
    expect(await currentUsage(db(), ws, { ...opts, now: at(0) })).toMatchObject({
      stale: true,
      sampledAt: null,
    });
    await recordSample(db(), { workspaceId: ws, at: at(0), data: sample(1, 2) }, { maxGapMs: GAP });
    await db()
      .insert(usageSampling)
      .values({ workspaceId: ws, sampledAt: at(0) });
    expect(await currentUsage(db(), ws, { ...opts, now: at(30) })).toMatchObject({
      stale: false,
      staleReason: null,
    });
    expect(await currentUsage(db(), ws, { ...opts, now: at(91) })).toMatchObject({ stale: true });
    await db()
      .update(usageSampling)
      .set({ failedAt: at(31), error: 'The vCluster did not answer.' })
      .where(eq(usageSampling.workspaceId, ws));
    const failed = await currentUsage(db(), ws, { ...opts, now: at(32) });
    // Stale, and the last numbers are still there: never zero for a cluster that did not answer.
    expect(failed).toMatchObject({ stale: true, staleReason: 'The vCluster did not answer.' });
    expect(failed.data['prj-a']!.pods).toEqual([2, 100]);
    const latest = (await latestUsage(db(), { intervalSeconds: 30, now: at(32) })).find(
      (l) => l.workspaceId === ws,
    );
    expect(latest).toMatchObject({ stale: true, quota: { pods: { used: 2, hard: 100 } } });
  });

  it('prunes each tier past its retention', async () => {
    const ws = await workspace();
    await recordSample(db(), { workspaceId: ws, at: at(0), data: sample(1, 2) }, { maxGapMs: GAP });
    await pruneSamples(db(), new Date(T0 + 2 * 86_400_000));
    expect((await rows(ws, 0)).length).toBe(0);
    expect((await rows(ws, 1)).length).toBe(1);
    await pruneSamples(db(), new Date(T0 + 31 * 86_400_000));
    expect((await rows(ws, 1)).length).toBe(0);
    expect((await rows(ws, 2)).length).toBe(1);
  });
});
