import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lookupKey } from '../shared/billing/prices';
import { plans } from '../shared/db/schema';
import { usePlatform } from '../shared/testing/platform';
import { childEnv, spawnProcess } from '../shared/testing/process';
import { type StripeWorld, startStripe } from '../shared/testing/stripe';

describe('npm run stripe:sync', () => {
  let world: StripeWorld;
  beforeAll(async () => {
    world = await startStripe();
  });
  afterAll(() => world?.stop());
  const platform = usePlatform();

  /** The script in its own process, as an operator runs it, against the file's database and the Stripe world. */
  async function sync(args: string[] = [], env: Record<string, string> = world.env) {
    const p = platform();
    const child = spawnProcess(
      process.execPath,
      ['--import', 'tsx', 'scripts/stripe-sync.ts', ...args],
      childEnv({ DATABASE_URL: p.env.DATABASE_URL!, HEXABASE_DATA_DIR: p.env.HEXABASE_DATA_DIR, ...env }),
      process.cwd(),
    );
    return { code: await child.exited, stdout: child.stdout, stderr: child.stderr };
  }
  const priceOf = async (id: string) =>
    (await platform().db.select().from(plans).where(eq(plans.id, id)))[0]!.stripePriceId;

  it('creates a product and a monthly price per paid plan, records the price ids, and reuses them when run again', async () => {
    const first = await sync();
    expect(first.code, first.stderr.join('\n')).toBe(0);
    const created = world.requests.filter((r) => r.method === 'POST' && r.path === '/v1/prices');
    expect(created.map((r) => r.params)).toEqual([
      expect.objectContaining({
        product: 'hexabase-plan-standard',
        unit_amount: '4900',
        currency: 'usd',
        recurring: { interval: 'month' },
        lookup_key: 'hexabase-standard-usd-4900-month',
      }),
      expect.objectContaining({ product: 'hexabase-plan-premium-dedicated', unit_amount: '49900' }),
    ]);
    expect(created.map((r) => r.idempotencyKey)).toEqual([
      'hexabase:price:hexabase-standard-usd-4900-month',
      'hexabase:price:hexabase-premium-dedicated-usd-49900-month',
    ]);
    const standard = await priceOf('standard');
    expect(standard).toMatch(/^price_/);
    expect(await priceOf('free')).toBeNull();
    expect(first.stdout).toContain(`standard: ${standard} (created, product hexabase-plan-standard)`);

    // Stripe now finds the standard price by its lookup key (the premium one is gone): only that one is created.
    world.reset();
    world.list('/v1/prices', [
      { id: 'price_existing', lookup_key: lookupKey({ id: 'standard', currency: 'usd', price: 4900 }) },
    ]);
    const again = await sync();
    expect(again.code, again.stderr.join('\n')).toBe(0);
    expect(world.requests.filter((r) => r.method === 'POST' && r.path === '/v1/prices')).toMatchObject([
      { params: { product: 'hexabase-plan-premium-dedicated' } },
    ]);
    expect(await priceOf('standard')).toBe('price_existing');
  });

  it('points a plan at a given price with --price, and refuses an unknown plan or a malformed argument', async () => {
    const given = await sync(['--price', 'standard=price_fromdashboard']);
    expect(given.code, given.stderr.join('\n')).toBe(0);
    expect(await priceOf('standard')).toBe('price_fromdashboard');
    const unknown = await sync(['--price', 'gold=price_x']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.join('\n')).toContain('no active plan "gold"');
    expect((await sync(['--price', 'standard'])).code).toBe(2);
  });

  it('creates the two summing usage meters, keeps them when Stripe has them, and brings a deactivated one back', async () => {
    world.reset();
    const first = await sync();
    expect(first.code, first.stderr.join('\n')).toBe(0);
    const created = world.requests.filter((r) => r.method === 'POST' && r.path === '/v1/billing/meters');
    const summing = {
      default_aggregation: { formula: 'sum' },
      customer_mapping: { type: 'by_id', event_payload_key: 'stripe_customer_id' },
      value_settings: { event_payload_key: 'value' },
    };
    expect(created.map((r) => [r.params, r.idempotencyKey])).toEqual([
      [
        { ...summing, event_name: 'hexabase_cpu_millicore_hours', display_name: expect.any(String) },
        'hexabase:meter:hexabase_cpu_millicore_hours',
      ],
      [
        { ...summing, event_name: 'hexabase_memory_mib_hours', display_name: expect.any(String) },
        'hexabase:meter:hexabase_memory_mib_hours',
      ],
    ]);
    expect(first.stdout.join('\n')).toMatch(/meter hexabase_cpu_millicore_hours: meter_\w+ \(created\)/);

    world.reset();
    world.list('/v1/billing/meters', [
      { id: 'meter_cpu', event_name: 'hexabase_cpu_millicore_hours', status: 'active', ...summing },
      {
        id: 'meter_old',
        event_name: 'hexabase_memory_mib_hours',
        status: 'inactive',
        default_aggregation: { formula: 'count' },
      },
      { id: 'meter_mem', event_name: 'hexabase_memory_mib_hours', status: 'inactive', ...summing },
    ]);
    const again = await sync();
    expect(again.code, again.stderr.join('\n')).toBe(0);
    expect(
      world.requests
        .filter((r) => r.method === 'POST' && r.path.startsWith('/v1/billing/meters'))
        .map((r) => r.path),
    ).toEqual(['/v1/billing/meters/meter_mem/reactivate']);
    expect(again.stdout).toEqual(
      expect.arrayContaining([
        expect.stringContaining('meter hexabase_cpu_millicore_hours: meter_cpu (kept)'),
        expect.stringContaining('meter hexabase_memory_mib_hours: meter_mem (reactivated)'),
      ]),
    );
  });

  it('refuses to use an active meter of the same event name that does not sum by customer', async () => {
    world.reset();
    world.list('/v1/billing/meters', [
      {
        id: 'meter_counting',
        event_name: 'hexabase_cpu_millicore_hours',
        status: 'active',
        default_aggregation: { formula: 'count' },
      },
    ]);
    const out = await sync();
    expect(out.code).toBe(1);
    expect(out.stderr.join('\n')).toContain(
      'meter meter_counting (hexabase_cpu_millicore_hours) aggregates "count"',
    );
    expect(
      world.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/billing/meters')),
    ).toEqual([]);
  });

  it('says billing is off without STRIPE_SECRET_KEY', async () => {
    const off = await sync([], {});
    expect(off.code).toBe(2);
    expect(off.stderr.join('\n')).toContain('STRIPE_SECRET_KEY is not set');
  });
});
