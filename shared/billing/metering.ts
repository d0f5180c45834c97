import { sql } from 'drizzle-orm';
import type { Db } from '../db';
import { rows } from '../db/raw';
import { usageMeterReports } from '../db/schema';
import { DependencyUnavailableError } from '../errors';
import type { Logger } from '../log';
import { hourlyUsage } from '../usage/store';
import { CUSTOMER_KEY, METERS, type Meter, VALUE_KEY } from './meters';
import { type BillingContext, type LiveBilling, live, stripeCall } from './stripe';

const HOUR_MS = 3_600_000;

export type MeteringOptions = {
  /**
   * How far back unreported hours are still sent. Stripe dedupes a meter event's `identifier` (and replays an
   * Idempotency-Key) for at least 24 hours; an hour is first sent once it ended, so with 24 hours every retry of
   * it falls inside that window and cannot bill twice. Stripe would accept 35 days, but hours missed by an outage
   * longer than a day are given away rather than risk a double charge or flood Stripe when it comes back.
   */
  lookbackHours: number;
  /**
   * An hour is final this long after it ended: the sampler writes a sample a moment after it takes it, and the
   * sent value must not change, or a retry with the same Idempotency-Key would be a different request.
   */
  settleMs: number;
  /** Stop starting new events after this long: the tick shares the dispatcher's 10 s; the next tick goes on. */
  budgetMs: number;
};

export const METERING_DEFAULTS: MeteringOptions = {
  lookbackHours: 24,
  settleMs: 5 * 60_000,
  budgetMs: 5_000,
};

export type MeteringResult = {
  /** Meter events Stripe accepted. */
  sent: number;
  /** Hours whose value rounds to zero: recorded as reported, nothing sent. */
  zero: number;
  /** Events Stripe refused as invalid (logged; tried again on the next tick while within the look-back). */
  refused: number;
  /** The budget ran out with hours left for the next tick. */
  more: boolean;
};

/** One hour of one paid workspace that still misses a report for at least one meter. */
type Due = { workspaceId: string; organizationId: string; customerId: string; hour: Date; done: string[] };

/**
 * Reports each paid workspace's requested CPU and memory to Stripe as billing meter events, one per completed hour
 * and meter, on the billing worker's tick. A `usage_meter_reports` row is written only after Stripe accepted the
 * event, and the event's `identifier` and Idempotency-Key are derived from (workspace, meter, hour), so a report
 * whose row was lost is sent again and Stripe takes it once. A Stripe outage answers 503 (the dispatcher retries
 * the tick); an event Stripe refuses as invalid is logged and does not hold up the other workspaces.
 */
export async function reportMeteredUsage(
  ctx: BillingContext & { log: Logger },
  opts: Partial<MeteringOptions> = {},
): Promise<MeteringResult> {
  const o = { ...METERING_DEFAULTS, ...opts };
  const result: MeteringResult = { sent: 0, zero: 0, refused: 0, more: false };
  const c = await live(ctx);
  if (!c) return result;
  const started = performance.now();
  for (const due of await dueHours(ctx.db, ctx.now(), o)) {
    if (performance.now() - started > o.budgetMs) {
      result.more = true;
      break;
    }
    const usage = await hourlyUsage(ctx.db, due.workspaceId, due.hour);
    if (!usage) continue;
    for (const meter of METERS.filter((m) => !due.done.includes(m.eventName))) {
      const value = meterValue(meter, usage.totals);
      if (value > 0 && !(await send(c, ctx.log, due, meter, value))) {
        result.refused++;
        continue;
      }
      await ctx.db
        .insert(usageMeterReports)
        .values({
          workspaceId: due.workspaceId,
          organizationId: due.organizationId,
          hour: due.hour,
          meter: meter.eventName,
          value: String(value),
        })
        .onConflictDoNothing();
      if (value > 0) result.sent++;
      else result.zero++;
    }
  }
  if (result.sent + result.refused > 0 || result.more) ctx.log.info(result, 'metered usage reported');
  return result;
}

/**
 * The hour's average in whole meter units (Stripe's meter event values are whole numbers), rounded half up. The
 * average of the samples the hour has stands for the whole hour: a workspace sampled only part of it (created
 * late, or the sampler was down) is billed at what was measured, never at zero for what was not.
 */
export function meterValue(meter: Meter, totals: Record<string, [number, number]>): number {
  const resource = meter.resources.find((r) => totals[r] !== undefined);
  const used = resource ? totals[resource]![0] : 0;
  return Number.isFinite(used) && used > 0 ? Math.round(used / meter.perUnit) : 0;
}

/**
 * Completed, settled hours in the look-back covered by a tier-2 usage row, of workspaces on a paid plan (their plan
 * now) in organizations with a Stripe customer, that lack a report for some meter; oldest first. A row is walked
 * hour by hour from `at` to `until`, so this holds whether the store keeps a row per hour or joins equal hours
 * into one; `hourlyUsage` answers each hour's numbers. Hours are whole epoch hours, whatever the session's zone.
 */
async function dueHours(db: Db, now: Date, o: MeteringOptions): Promise<Due[]> {
  // The last hour that ended at least settleMs ago, and the first one inside the look-back (epoch seconds).
  const last = (Math.floor((now.getTime() - o.settleMs) / HOUR_MS) - 1) * 3600;
  const first = (Math.floor(now.getTime() / HOUR_MS) - o.lookbackHours) * 3600;
  const found = await rows<{
    workspace_id: string;
    organization_id: string;
    customer_id: string;
    hour: string;
    done: string[];
  }>(
    db,
    sql`
    select s.workspace_id, w.organization_id, a.customer_id, h.hour, d.done
    from usage_samples s
      join workspaces w on w.id = s.workspace_id
      join plans p on p.id = w.plan_id and p.price > 0
      join billing_accounts a on a.organization_id = w.organization_id and a.customer_id is not null
      cross join lateral generate_series(
        greatest(floor(extract(epoch from s.at) / 3600)::bigint * 3600, ${first}::bigint),
        least(floor(extract(epoch from s."until") / 3600)::bigint * 3600, ${last}::bigint),
        3600) as h(hour)
      cross join lateral (select array(select r.meter from usage_meter_reports r
        where r.workspace_id = s.workspace_id and r.hour = to_timestamp(h.hour)) as done) d
    where s.tier = 2 and s."until" >= to_timestamp(${first}) and s.at < to_timestamp(${last + 3600})
      and cardinality(d.done) < ${METERS.length}
    order by h.hour, s.workspace_id
    limit 1000`,
  );
  return found.map((r) => ({
    workspaceId: r.workspace_id,
    organizationId: r.organization_id,
    customerId: r.customer_id,
    hour: new Date(Number(r.hour) * 1000),
    done: r.done,
  }));
}

/** Stripe accepted the event (true), or refused it as invalid (false, logged); an outage throws (503). */
async function send(c: LiveBilling, log: Logger, due: Due, meter: Meter, value: number): Promise<boolean> {
  const identifier = `hexabase:${meter.eventName}:${due.workspaceId}:${due.hour.getTime() / 1000}`;
  try {
    await stripeCall('record usage', () =>
      c.stripe.billing.meterEvents.create(
        {
          event_name: meter.eventName,
          payload: { [CUSTOMER_KEY]: due.customerId, [VALUE_KEY]: String(value) },
          // The hour's start: the usage belongs to the billing period that hour began in.
          timestamp: due.hour.getTime() / 1000,
          identifier,
        },
        { idempotencyKey: identifier },
      ),
    );
    return true;
  } catch (err) {
    // Outages (503) stop the run; only Stripe's own refusals (by the SDK's error `type`) are skipped.
    if (
      err instanceof DependencyUnavailableError ||
      !String((err as { type?: unknown }).type).startsWith('Stripe')
    )
      throw err;
    log.error(
      { err, workspaceId: due.workspaceId, hour: due.hour, meter: meter.eventName, value },
      'Stripe refused a meter event',
    );
    return false;
  }
}
