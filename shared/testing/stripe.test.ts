import Stripe from 'stripe';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { decodeStripeForm, type StripeWorld, signedWebhook, startStripe, stripeEvent } from './stripe';

// The harness itself, through the official SDK as the platform uses it (shared/billing/stripe.ts).
describe('the Stripe world (stripe-mock behind a stateful front)', () => {
  let world: StripeWorld;
  let stripe: Stripe;
  beforeAll(async () => {
    world = await startStripe();
    const api = new URL(world.url);
    // One retry, so that the outage tests see the SDK's own retry without waiting out its full backoff.
    stripe = new Stripe(world.env.STRIPE_SECRET_KEY, {
      host: api.hostname,
      port: Number(api.port),
      protocol: 'http',
      maxNetworkRetries: 1,
    });
  });
  afterAll(() => world?.stop());
  beforeEach(() => world.reset());

  it('forwards a valid call and records its idempotency key and decoded params', async () => {
    const customer = await stripe.customers.create(
      { email: 'ada@example.com', metadata: { org: 'org-1' }, expand: ['tax'] },
      { idempotencyKey: 'create-org-1' },
    );
    expect(customer.object).toBe('customer');
    await stripe.subscriptions.create({
      customer: customer.id,
      items: [{ price: 'price_team', quantity: 2 }],
    });
    expect(world.requests).toEqual([
      {
        method: 'POST',
        path: '/v1/customers',
        idempotencyKey: 'create-org-1',
        params: { email: 'ada@example.com', metadata: { org: 'org-1' }, expand: ['tax'] },
      },
      {
        method: 'POST',
        path: '/v1/subscriptions',
        idempotencyKey: expect.any(String), // the SDK makes one up for every POST
        params: { customer: customer.id, items: [{ price: 'price_team', quantity: '2' }] },
      },
    ]);
    await stripe.invoices.list({ customer: 'cus_1', limit: 3 });
    expect(world.requests.at(-1)).toEqual({
      method: 'GET',
      path: '/v1/invoices',
      idempotencyKey: undefined,
      params: { customer: 'cus_1', limit: '3' },
    });
  });

  it('replays the answer to a repeated idempotency key, and refuses the key with other parameters, as Stripe does', async () => {
    const key = `replay-${Date.now()}`;
    const first = await stripe.customers.create({ name: 'Ada' }, { idempotencyKey: key });
    const again = await stripe.customers.create({ name: 'Ada' }, { idempotencyKey: key });
    expect(again.id).toBe(first.id);
    await expect(stripe.customers.create({ name: 'Grace' }, { idempotencyKey: key })).rejects.toMatchObject({
      type: 'StripeIdempotencyError',
    });
  });

  it('lets stripe-mock refuse an invalid request (400 through the SDK)', async () => {
    const bogus = { email: 'ada@example.com', no_such_param: 'x' } as Stripe.CustomerCreateParams;
    const err = await stripe.customers.create(bogus).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(err).toMatchObject({ statusCode: 400, message: expect.stringMatching(/validation/i) });
  });

  it('overlays the state a test sets on retrieve and update answers', async () => {
    world.set('cus_ada', { email: 'ada@example.com', metadata: { org: 'org-1' } });
    world.set('cus_ada', { metadata: { plan: 'team' } }); // merges with what was set before
    const got = await stripe.customers.retrieve('cus_ada');
    expect(got).toMatchObject({
      id: 'cus_ada',
      email: 'ada@example.com',
      metadata: { org: 'org-1', plan: 'team' },
    });
    const updated = await stripe.customers.update('cus_ada', { name: 'Ada' });
    expect(updated).toMatchObject({ id: 'cus_ada', name: 'Ada', email: 'ada@example.com' });
    // Another object keeps stripe-mock's fixture.
    expect((await stripe.customers.retrieve('cus_other')) as Stripe.Customer).toMatchObject({ email: null });
  });

  it('answers a list with the objects a test gives, paged as Stripe pages', async () => {
    world.list(
      '/v1/invoices',
      ['in_1', 'in_2', 'in_3'].map((id) => ({ id, status: 'open', customer: 'cus_ada' })),
    );
    world.set('in_3', { status: 'paid' });
    const first = await stripe.invoices.list({ limit: 2 });
    expect(first.data.map((i) => i.id)).toEqual(['in_1', 'in_2']);
    expect(first.has_more).toBe(true);
    // Each item keeps the fixture's shape around the fields given.
    expect(first.data[0]).toMatchObject({ object: 'invoice', status: 'open', customer: 'cus_ada' });
    expect(typeof first.data[0]!.amount_due).toBe('number');
    const next = await stripe.invoices.list({ limit: 2, starting_after: 'in_2' });
    expect(next.data.map((i) => [i.id, i.status])).toEqual([['in_3', 'paid']]);
    expect(next.has_more).toBe(false);
    const all = await stripe.invoices.list({ limit: 1 }).autoPagingToArray({ limit: 10 });
    expect(all.map((i) => i.id)).toEqual(['in_1', 'in_2', 'in_3']);
  });

  it('fails matching requests until healed: an error status, then a dropped connection', async () => {
    world.fail({ method: 'POST', path: /^\/v1\/customers$/ }, 500);
    const err = await stripe.customers.create({ email: 'a@example.com' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Stripe.errors.StripeAPIError);
    expect(err).toMatchObject({ statusCode: 500 });
    // The SDK retried once with the same idempotency key: what makes a retry safe against the real Stripe.
    const keys = world.requests.map((r) => r.idempotencyKey);
    expect(keys).toHaveLength(2);
    expect(keys[1]).toBe(keys[0]);
    // Other calls are untouched.
    await expect(stripe.customers.retrieve('cus_x')).resolves.toMatchObject({ id: 'cus_x' });

    world.heal();
    world.fail({ path: /^\/v1\/customers/ }, 0);
    const dropped = await stripe.customers.retrieve('cus_x').catch((e: unknown) => e);
    expect(dropped).toBeInstanceOf(Stripe.errors.StripeConnectionError);

    world.heal();
    await expect(stripe.customers.create({ email: 'a@example.com' })).resolves.toMatchObject({
      object: 'customer',
    });
  });

  it('signs webhooks the SDK verifies, and a tampered one is refused', () => {
    const event = stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice', customer: 'cus_ada' });
    expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), object: 'event', livemode: false });
    const { body, headers } = signedWebhook(world, event);
    expect(headers['content-type']).toBe('application/json');
    const got = stripe.webhooks.constructEvent(body, headers['stripe-signature'], world.webhookSecret);
    expect(got).toMatchObject({ id: event.id, type: 'invoice.paid', data: { object: { id: 'in_1' } } });

    const tampered = body.replace('cus_ada', 'cus_eve');
    expect(() =>
      stripe.webhooks.constructEvent(tampered, headers['stripe-signature'], world.webhookSecret),
    ).toThrow(Stripe.errors.StripeSignatureVerificationError);
    const stale = signedWebhook(world, event, { timestamp: Math.floor(Date.now() / 1000) - 3600 });
    expect(() =>
      stripe.webhooks.constructEvent(stale.body, stale.headers['stripe-signature'], world.webhookSecret, 300),
    ).toThrow(/tolerance/i);
  });
});

describe('the Stripe harness', () => {
  it('decodes nested form parameters as Stripe encodes them', () => {
    expect(
      decodeStripeForm('a[b][c]=1&items[0][price]=p&items[1][price]=q&expand[]=x&expand[]=y&e='),
    ).toEqual({
      a: { b: { c: '1' } },
      items: [{ price: 'p' }, { price: 'q' }],
      expand: ['x', 'y'],
      e: '',
    });
  });

  it('says how to build stripe-mock when the binary is missing, at once', async () => {
    vi.stubEnv('HEXABASE_STRIPE_MOCK_DIR', '/nonexistent/hexabase-stripe-mock');
    try {
      await expect(startStripe()).rejects.toThrow(/run bash scripts\/stripe-mock\/build\.sh/);
    } finally {
      vi.unstubAllEnvs();
    }
  });
});
