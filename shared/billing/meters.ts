import type Stripe from 'stripe';
import { stripeCall } from './stripe';

/**
 * The usage Hexabase bills by the hour (docs/billing.md, "Metered usage"): what a workspace's quota says its pods
 * requested, summed over its projects, averaged over the hour's samples. Stripe documents whole numbers only for a
 * meter event's value, so the units are the ones Kubernetes users already read requests in (millicores, MiB): each
 * hour rounds by at most half a unit (0.0005 core-hours, 0.5 MiB-hours), where core-hours or GiB-hours would round
 * a small workspace to nothing. A price per core-hour divides the quantity by 1000 (docs/billing.md).
 */
export const METERS = [
  {
    eventName: 'hexabase_cpu_millicore_hours',
    displayName: 'Hexabase requested CPU (millicore-hours)',
    /** `cpu` is Kubernetes' older name for the same quota. */
    resources: ['requests.cpu', 'cpu'],
    /** Base units per meter unit: the sampler stores cores. */
    perUnit: 1e-3,
  },
  {
    eventName: 'hexabase_memory_mib_hours',
    displayName: 'Hexabase requested memory (MiB-hours)',
    resources: ['requests.memory', 'memory'],
    /** The sampler stores bytes. */
    perUnit: 2 ** 20,
  },
] as const;

export type Meter = (typeof METERS)[number];

/** The payload keys Stripe maps an event by; they are Stripe's defaults, spelled out so a meter can be checked. */
export const CUSTOMER_KEY = 'stripe_customer_id';
export const VALUE_KEY = 'value';

/** A meter with our event name exists but adds events up differently: an operator has to look, not this script. */
export class MeterMismatchError extends Error {
  readonly code = 'STRIPE_METER_MISMATCH';
}

export type MeterSync = { eventName: string; meterId: string; action: 'created' | 'reactivated' | 'kept' };

/**
 * Makes sure Stripe has one summing meter per entry of METERS (`npm run stripe:sync`). Meter events name their meter
 * by event name, so nothing needs recording here; the ids are printed for attaching metered prices.
 */
export async function syncStripeMeters(stripe: Stripe): Promise<MeterSync[]> {
  const existing: Stripe.Billing.Meter[] = [];
  await stripeCall('list the meters', () =>
    stripe.billing.meters.list({ limit: 100 }).autoPagingEach((m) => void existing.push(m)),
  );
  const out: MeterSync[] = [];
  for (const meter of METERS) {
    const named = existing.filter((m) => m.event_name === meter.eventName);
    const active = named.find((m) => m.status === 'active');
    if (active) {
      if (!sums(active))
        throw new MeterMismatchError(
          `meter ${active.id} (${meter.eventName}) aggregates "${active.default_aggregation.formula}" by ` +
            `${active.customer_mapping?.event_payload_key}/${active.value_settings?.event_payload_key}; Hexabase ` +
            `sends hourly amounts to be summed by ${CUSTOMER_KEY}/${VALUE_KEY}: deactivate that meter in the ` +
            'Stripe dashboard and run npm run stripe:sync again',
        );
      out.push({ eventName: meter.eventName, meterId: active.id, action: 'kept' });
      continue;
    }
    // A meter deactivated by mistake comes back with its history; one set up differently stays off.
    const dormant = named.find(sums);
    if (dormant) {
      await stripeCall('reactivate the meter', () =>
        stripe.billing.meters.reactivate(
          dormant.id,
          {},
          { idempotencyKey: `hexabase:meter-on:${dormant.id}` },
        ),
      );
      out.push({ eventName: meter.eventName, meterId: dormant.id, action: 'reactivated' });
      continue;
    }
    const created = await stripeCall('create the meter', () =>
      stripe.billing.meters.create(
        {
          display_name: meter.displayName,
          event_name: meter.eventName,
          default_aggregation: { formula: 'sum' },
          customer_mapping: { type: 'by_id', event_payload_key: CUSTOMER_KEY },
          value_settings: { event_payload_key: VALUE_KEY },
        },
        { idempotencyKey: `hexabase:meter:${meter.eventName}` },
      ),
    );
    out.push({ eventName: meter.eventName, meterId: created.id, action: 'created' });
  }
  return out;
}

const sums = (m: Stripe.Billing.Meter) =>
  m.default_aggregation.formula === 'sum' &&
  m.customer_mapping?.event_payload_key === CUSTOMER_KEY &&
  m.value_settings?.event_payload_key === VALUE_KEY;
