import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { and, asc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  type Billing,
  billedOrganization,
  payingOrganization,
  useBilling,
} from '../../functions/billing-testing';
import { type UsageData, usageMeterReports } from '../db/schema';
import { EVENTS } from '../events/catalog';
import { nodePool } from '../k8s/nodes';
import { recordSample } from '../usage/store';
import { createWorkspace } from '../workspaces/workspaces';
import { reportMeteredUsage } from './metering';

const HOUR = 3_600_000;
const MIB = 2 ** 20;
const CPU = 'hexabase_cpu_millicore_hours';
const MEMORY = 'hexabase_memory_mib_hours';
const uniq = () => randomBytes(4).toString('hex');

const tick = () =>
  new CloudEvent({
    type: EVENTS.reconcileTick.type,
    source: '/hexabase/scheduler',
    id: `tick-${uniq()}`,
    data: {},
  });

/** Requested CPU (cores) and memory (MiB) of two projects, as the sampler stores a workspace's quotas. */
const usage = (cpu: [number, number], memoryMiB: [number, number]): UsageData => ({
  'prj-a': {
    'requests.cpu': [cpu[0], 4],
    'requests.memory': [memoryMiB[0] * MIB, 8192 * MIB],
    pods: [3, 20],
  },
  'prj-b': { 'requests.cpu': [cpu[1], 4], 'requests.memory': [memoryMiB[1] * MIB, 8192 * MIB] },
});

const sample = (b: Billing, workspaceId: string, at: number, data: UsageData) =>
  recordSample(b.platform().db, { workspaceId, at: new Date(at), data }, { maxGapMs: 90_000 });

/** The worker's clock half past the hour; returns that hour's start. */
function halfPast(b: Billing): number {
  const hour = Math.floor(Date.now() / HOUR) * HOUR;
  b.clock.now = new Date(hour + HOUR / 2);
  return hour;
}

/** The meter events Stripe was sent about one workspace, as Stripe decoded them. */
const eventsOf = (b: Billing, wsId: string) =>
  b
    .world()
    .requests.filter(
      (r) => r.path === '/v1/billing/meter_events' && String(r.params.identifier).includes(wsId),
    )
    .map((r) => ({ key: r.idempotencyKey, params: r.params }));

const event = (customer: string, wsId: string, meter: string, hour: number, value: string) => {
  const identifier = `hexabase:${meter}:${wsId}:${hour / 1000}`;
  return {
    key: identifier,
    params: {
      event_name: meter,
      payload: { stripe_customer_id: customer, value },
      timestamp: String(hour / 1000),
      identifier,
    },
  };
};

const reportsOf = async (b: Billing, wsId: string) =>
  (
    await b
      .platform()
      .db.select()
      .from(usageMeterReports)
      .where(eq(usageMeterReports.workspaceId, wsId))
      .orderBy(asc(usageMeterReports.hour), asc(usageMeterReports.meter))
  ).map((r) => [r.hour.getTime(), r.meter, r.value]);

describe('metered usage: hourly meter events to Stripe from the billing worker tick', () => {
  const b = useBilling();

  it('reports each completed hour of a paid workspace once per meter, at its hourly average in whole units', async () => {
    const o = await payingOrganization(b);
    const now = halfPast(b);
    const [h2, h1] = [now - 2 * HOUR, now - HOUR];
    // Two hours back: 1 core and 1 GiB on average. One hour back: 0.1234 cores (123.4 millicores) and 5/3 MiB.
    await sample(b, o.wsId, h2, usage([0.5, 0.25], [512, 256]));
    await sample(b, o.wsId, h2 + HOUR / 2, usage([1, 0.25], [1024, 256]));
    for (const [minute, mib] of [
      [10, 1],
      [20, 2],
      [40, 2],
    ] as const)
      await sample(b, o.wsId, h1 + minute * 60_000, usage([0.1, 0.0234], [mib, 0]));
    // The hour running now, and one older than the look-back, are not sent; nor is a free workspace's usage.
    await sample(b, o.wsId, now + 60_000, usage([8, 8], [8192, 8192]));
    await sample(b, o.wsId, now - 30 * HOUR, usage([8, 8], [8192, 8192]));
    await sample(b, o.freeWsId, h2, usage([1, 1], [1024, 1024]));
    await sample(b, o.freeWsId, h1, usage([1, 1], [1024, 1024]));

    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId)).toEqual([
      event(o.customer, o.wsId, CPU, h2, '1000'),
      event(o.customer, o.wsId, MEMORY, h2, '1024'),
      event(o.customer, o.wsId, CPU, h1, '123'),
      event(o.customer, o.wsId, MEMORY, h1, '2'),
    ]);
    expect(await reportsOf(b, o.wsId)).toEqual([
      [h2, CPU, '1000'],
      [h2, MEMORY, '1024'],
      [h1, CPU, '123'],
      [h1, MEMORY, '2'],
    ]);
    expect(eventsOf(b, o.freeWsId)).toEqual([]);
    expect(await reportsOf(b, o.freeWsId)).toEqual([]);

    // Ticks keep coming: nothing is sent twice.
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId)).toHaveLength(4);

    // The hour that was running is sent once it has ended and settled (five minutes), not before.
    b.clock.now = new Date(now + HOUR + 4 * 60_000);
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId)).toHaveLength(4);
    b.clock.now = new Date(now + HOUR + 6 * 60_000);
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId).slice(4)).toEqual([
      event(o.customer, o.wsId, CPU, now, '16000'),
      event(o.customer, o.wsId, MEMORY, now, '16384'),
    ]);
  });

  it('reports every hour of a long unchanged stretch, however the store keeps it', async () => {
    const o = await payingOrganization(b);
    const now = halfPast(b);
    // The same numbers for three hours (the store may keep them as one row), then a change in the running hour.
    for (const hour of [now - 3 * HOUR, now - 2 * HOUR, now - HOUR])
      await sample(b, o.wsId, hour + 60_000, usage([0.5, 0], [256, 0]));
    await sample(b, o.wsId, now + 60_000, usage([1, 0], [256, 0]));
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(await reportsOf(b, o.wsId)).toEqual(
      [now - 3 * HOUR, now - 2 * HOUR, now - HOUR].flatMap((hour) => [
        [hour, CPU, '500'],
        [hour, MEMORY, '256'],
      ]),
    );
    expect(eventsOf(b, o.wsId)).toHaveLength(6);
  });

  it('a Stripe outage answers 503 and records nothing; after it, each hour is reported once, under the same keys', async () => {
    const o = await payingOrganization(b);
    const now = halfPast(b);
    const h1 = now - HOUR;
    await sample(b, o.wsId, h1, usage([2, 0], [0, 0]));
    await sample(b, o.wsId, h1 + 60_000, usage([2, 0], [100, 0]));

    b.world().fail({ method: 'POST', path: /^\/v1\/billing\/meter_events$/ }, 500);
    const outage = await b.deliver(tick());
    expect(outage).toMatchObject({ kind: 'retry', error: expect.stringContaining('503') });
    expect(await reportsOf(b, o.wsId)).toEqual([]);
    const tried = eventsOf(b, o.wsId);
    expect(tried.length).toBeGreaterThan(0);

    b.world().heal();
    expect((await b.deliver(tick())).kind).toBe('ack');
    const expected = [
      event(o.customer, o.wsId, CPU, h1, '2000'),
      event(o.customer, o.wsId, MEMORY, h1, '50'),
    ];
    expect(eventsOf(b, o.wsId).slice(tried.length)).toEqual(expected);
    // What was tried during the outage went under the same identifiers and keys, so Stripe could only take it once.
    expect(tried).toEqual(tried.map((t) => expected.find((e) => e.key === t.key)));
    expect(await reportsOf(b, o.wsId)).toEqual([
      [h1, CPU, '2000'],
      [h1, MEMORY, '50'],
    ]);
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId)).toHaveLength(tried.length + 2);

    // A report row lost after Stripe took the event (a crash before the commit): sent again as the same request.
    await b
      .platform()
      .db.delete(usageMeterReports)
      .where(and(eq(usageMeterReports.workspaceId, o.wsId), eq(usageMeterReports.meter, CPU)));
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId).slice(tried.length + 2)).toEqual([expected[0]]);
    expect(await reportsOf(b, o.wsId)).toHaveLength(2);
  });

  it('an event Stripe refuses as invalid is skipped without failing the tick, and tried again on the next one', async () => {
    const o = await payingOrganization(b);
    const now = halfPast(b);
    await sample(b, o.wsId, now - HOUR, usage([1, 0], [1, 0]));
    b.world().fail({ method: 'POST', path: /^\/v1\/billing\/meter_events$/ }, 400, {
      error: { type: 'invalid_request_error', message: 'No such customer' },
    });
    expect((await b.deliver(tick())).kind).toBe('ack');
    // Both meters were tried (a refusal does not stop the run) and nothing was recorded.
    expect(eventsOf(b, o.wsId).map((e) => e.params.event_name)).toEqual([CPU, MEMORY]);
    expect(await reportsOf(b, o.wsId)).toEqual([]);
    b.world().heal();
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(await reportsOf(b, o.wsId)).toEqual([
      [now - HOUR, CPU, '1000'],
      [now - HOUR, MEMORY, '1'],
    ]);
  });

  it('an hour whose requests average to nothing is recorded without an event', async () => {
    const o = await payingOrganization(b);
    const now = halfPast(b);
    await sample(b, o.wsId, now - HOUR, usage([0.0004, 0], [0, 0]));
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect(eventsOf(b, o.wsId)).toEqual([]);
    expect(await reportsOf(b, o.wsId)).toEqual([
      [now - HOUR, CPU, '0'],
      [now - HOUR, MEMORY, '0'],
    ]);
  });

  it('skips a paid workspace whose organization has no Stripe customer, until the tick has given it one', async () => {
    // A workspace created while billing was off: paid plan, no customer, no subscription item.
    const org = await billedOrganization(b.platform());
    const { workspaceId } = await createWorkspace(
      { db: b.platform().db, nodes: nodePool(undefined) },
      { userId: org.admin.userId },
      { orgId: org.orgId, name: `unbilled-${uniq()}`, planId: 'standard' },
    );
    const now = halfPast(b);
    await sample(b, workspaceId, now - HOUR, usage([1, 0], [64, 0]));

    await reportMeteredUsage(b.deps());
    expect(eventsOf(b, workspaceId)).toEqual([]);
    expect(await reportsOf(b, workspaceId)).toEqual([]);

    // The tick syncs first (customer and subscription created), then reports the hour.
    expect((await b.deliver(tick())).kind).toBe('ack');
    const sent = eventsOf(b, workspaceId);
    expect(sent.map((e) => [e.params.event_name, (e.params.payload as { value: string }).value])).toEqual([
      [CPU, '1000'],
      [MEMORY, '64'],
    ]);
    expect((sent[0]!.params.payload as { stripe_customer_id: string }).stripe_customer_id).toMatch(/^cus_/);
  });
});
