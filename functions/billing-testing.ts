import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import { billingContext } from '../shared/billing/stripe';
import { toCloudEvent } from '../shared/events/cloudevents';
import { deliverOnce, type Trigger } from '../shared/events/dispatcher';
import { triggerTable } from '../shared/events/triggers';
import { createOrganization } from '../shared/orgs/organizations';
import type { Platform } from '../shared/platform';
import { billingAccountOf, outboxAfter, outboxHead, PRICES, priceThePlans } from '../shared/testing/billing';
import { signedInUser, type TestUser } from '../shared/testing/fixtures';
import { json } from '../shared/testing/http';
import { usePlatform } from '../shared/testing/platform';
import { type StripeWorld, signedWebhook, startStripe, stripeEvent } from '../shared/testing/stripe';
import { createBillingWorkerApp } from './billing-worker/app';

export const ORIGIN = 'https://hexabase.example.com';
export { PRICES };

const uniq = () => randomBytes(4).toString('hex');

/**
 * Test support for the billing functions' tests (not product code). The platform with billing on against stripe-mock behind the test world (shared/testing/stripe.ts), the paid
 * plans priced, the API as users call it (`api`), and the billing worker fed from the outbox (`drain`) through
 * the real dispatcher's delivery, as the Knative Trigger would. `now` is the worker's clock, movable by tests.
 */
export function useBilling(extra: Record<string, string> = {}) {
  let world: StripeWorld;
  beforeAll(async () => {
    world = await startStripe();
  });
  afterAll(() => world?.stop());
  const platform = usePlatform(() => ({ ...world.env, HEXABASE_PUBLIC_URL: ORIGIN, ...extra }));
  const clock = { now: new Date() };
  let delivered = 0;
  beforeAll(async () => {
    await priceThePlans(platform().db);
    delivered = await outboxHead(platform().db);
  });

  /** The billing worker's dependencies, as its entry point builds them, on the test's clock. */
  const deps = () => {
    const p = platform();
    return { ...billingContext(p.env, p.db), log: p.log, now: () => clock.now };
  };
  const worker = () => createBillingWorkerApp(deps(), { log: platform().log });
  const spec = triggerTable.find((t) => t.name === 'billing')!;
  const deliver = (event: ReturnType<typeof toCloudEvent>) => {
    const app = worker();
    const trigger: Trigger = { ...spec, deliver: (req) => Promise.resolve(app.fetch(req)) };
    return deliverOnce(trigger, event, 30_000);
  };

  return {
    world: () => world,
    platform,
    clock,
    deps,
    /** A fetch into every function, as the public URL routes it. */
    api: (path: string, init: RequestInit & { token?: string } = {}) => {
      const { token, ...rest } = init;
      const headers = new Headers(rest.headers);
      if (token) headers.set('authorization', `Bearer ${token}`);
      if (rest.body !== undefined && !headers.has('content-type'))
        headers.set('content-type', 'application/json');
      return createLocalServer(platform()).fetch(new Request(`${ORIGIN}${path}`, { ...rest, headers }));
    },
    /**
     * Delivers every outbox event the billing worker subscribes to, in order, until none is left, each once, with
     * the dispatcher's verdict (ack, retry, dead); a test redelivers a retried one with `deliver`.
     */
    drain: async (opts: { concurrency?: number } = {}) => {
      const out: { event: ReturnType<typeof toCloudEvent>; outcome: Awaited<ReturnType<typeof deliver>> }[] =
        [];
      for (;;) {
        const rows = await outboxAfter(platform().db, delivered, spec.types);
        if (rows.length === 0) return out;
        delivered = rows.at(-1)!.seq;
        // As the dispatcher delivers: at most `concurrency` in flight (1: strictly in order).
        const queue = rows.map(toCloudEvent);
        const lane = async () => {
          for (let event = queue.shift(); event; event = queue.shift())
            out.push({ event, outcome: await deliver(event) });
        };
        await Promise.all(Array.from({ length: opts.concurrency ?? 1 }, lane));
      }
    },
    deliver: (event: ReturnType<typeof toCloudEvent>) => deliver(event),
    /** Posts a signed webhook to the public endpoint. */
    webhook: (event: ReturnType<typeof stripeEvent>, opts: { timestamp?: number } = {}) => {
      const { body, headers } = signedWebhook(world, event, opts);
      return createLocalServer(platform()).fetch(
        new Request(`${ORIGIN}/webhooks/stripe`, { method: 'POST', body, headers }),
      );
    },
  };
}

export type Billing = ReturnType<typeof useBilling>;

export async function billedOrganization(p: Platform): Promise<{ orgId: string; admin: TestUser }> {
  const admin = await signedInUser(p, { email: `billing-${uniq()}@example.com` });
  const org = await createOrganization(p.orgs, { userId: admin.userId }, { name: `Paying ${uniq()}` });
  return { orgId: org.id, admin };
}

/**
 * What a user adding a card through Checkout amounts to: the Checkout session is opened through the API (which
 * creates the customer), Stripe holds the completed session and the customer's new default payment method, and
 * sends checkout.session.completed, which the worker reads back.
 */
export async function addPaymentMethod(b: Billing, org: { orgId: string; admin: TestUser }) {
  const res = await b.api(`/api/v1/organizations/${org.orgId}/billing/checkout-session`, {
    method: 'POST',
    token: org.admin.token,
    body: JSON.stringify({ returnUrl: `${ORIGIN}/orgs/${org.orgId}/billing` }),
  });
  if (res.status !== 200) throw new Error(`checkout-session: ${res.status} ${await res.text()}`);
  const overview = (await (
    await b.api(`/api/v1/organizations/${org.orgId}/billing`, { token: org.admin.token })
  ).json()) as { customerId: string };
  const customer = overview.customerId;
  const session = `cs_test_${uniq()}`;
  const pm = `pm_${uniq()}`;
  b.world().set(session, {
    customer,
    status: 'complete',
    mode: 'setup',
    setup_intent: { id: `seti_${uniq()}`, object: 'setup_intent', payment_method: pm, status: 'succeeded' },
  });
  b.world().set(customer, { invoice_settings: { default_payment_method: pm } });
  const hook = await b.webhook(
    stripeEvent('checkout.session.completed', { id: session, object: 'checkout.session', customer }),
  );
  if (hook.status !== 200) throw new Error(`webhook: ${hook.status} ${await hook.text()}`);
  await b.drain();
  return { customer, paymentMethod: pm };
}

/** An organization with a payment method and one paid workspace whose item is on a subscription. */
export async function payingOrganization(b: Billing) {
  const org = await billedOrganization(b.platform());
  const { customer, paymentMethod } = await addPaymentMethod(b, org);
  const res = await b.api(`/api/v1/organizations/${org.orgId}/workspaces`, {
    method: 'POST',
    token: org.admin.token,
    body: JSON.stringify({ name: `paid-${uniq()}`, planId: 'standard' }),
  });
  const wsId = (await json(res)).workspaceId as string;
  await b.drain();
  const free = await b.api(`/api/v1/organizations/${org.orgId}/workspaces`, {
    method: 'POST',
    token: org.admin.token,
    body: JSON.stringify({ name: `free-${uniq()}`, planId: 'free' }),
  });
  await b.drain();
  const account = await billingAccountOf(b.platform().db, org.orgId);
  return {
    ...org,
    customer,
    paymentMethod,
    wsId,
    freeWsId: (await json(free)).workspaceId as string,
    subscription: account.subscriptionId!,
  };
}
export type Paying = Awaited<ReturnType<typeof payingOrganization>>;

export const accountOf = (b: Billing, orgId: string) => billingAccountOf(b.platform().db, orgId);
