import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { billingAccounts, billingItems, outbox, workspaces } from '../../shared/db/schema';
import { json } from '../../shared/testing/http';
import { addPaymentMethod, billedOrganization, PRICES, useBilling } from '../billing-testing';

describe('billing worker against stripe-mock', () => {
  const b = useBilling();
  const p = () => b.platform();
  const stripeCalls = (method: string, path: RegExp) =>
    b.world().requests.filter((r) => r.method === method && path.test(r.path));

  async function createWorkspace(org: Awaited<ReturnType<typeof billedOrganization>>, planId: string) {
    const res = await b.api(`/api/v1/organizations/${org.orgId}/workspaces`, {
      method: 'POST',
      token: org.admin.token,
      body: JSON.stringify({ name: `ws-${Math.random().toString(36).slice(2, 8)}`, planId }),
    });
    return { status: res.status, body: await json(res) };
  }
  const changePlan = (org: Awaited<ReturnType<typeof billedOrganization>>, wsId: string, planId: string) =>
    b.api(`/api/v1/organizations/${org.orgId}/workspaces/${wsId}`, {
      method: 'PUT',
      token: org.admin.token,
      body: JSON.stringify({ planId }),
    });
  const item = async (wsId: string) =>
    (await p().db.select().from(billingItems).where(eq(billingItems.workspaceId, wsId)))[0];

  it('answers 402 for a paid workspace without a payment method, and creates and changes nothing', async () => {
    const org = await billedOrganization(p());
    b.world().reset();
    const before = (await p().db.select().from(outbox)).length;
    const refused = await createWorkspace(org, 'standard');
    expect(refused.status).toBe(402);
    expect(refused.body).toMatchObject({ code: 'PAYMENT_METHOD_REQUIRED', status: 402 });
    const free = await createWorkspace(org, 'free');
    expect(free.status).toBe(202);
    const upgrade = await changePlan(org, free.body.workspaceId, 'standard');
    expect(upgrade.status).toBe(402);
    const rows = await p().db.select().from(workspaces).where(eq(workspaces.organizationId, org.orgId));
    expect(rows.map((w) => [w.planId, w.generation])).toEqual([['free', 1]]);
    // Only the free workspace's own event was written; Stripe was never asked anything.
    expect((await p().db.select().from(outbox)).length).toBe(before + 1);
    expect(b.world().requests).toEqual([]);
  });

  it('creates the customer lazily, then the subscription with the first paid workspace as its item', async () => {
    const org = await billedOrganization(p());
    b.world().reset();
    const { customer } = await addPaymentMethod(b, org);
    expect(stripeCalls('POST', /^\/v1\/customers$/)).toMatchObject([
      {
        idempotencyKey: `hexabase:customer:${org.orgId}`,
        params: { metadata: { organizationId: org.orgId } },
      },
    ]);
    const ws = await createWorkspace(org, 'standard');
    expect(ws.status).toBe(202);
    expect((await b.drain()).map((d) => d.outcome.kind)).toEqual(['ack']);
    const [create] = stripeCalls('POST', /^\/v1\/subscriptions$/);
    expect(create).toMatchObject({
      params: {
        customer,
        items: [{ price: PRICES.standard, quantity: '1', metadata: { workspaceId: ws.body.workspaceId } }],
      },
    });
    expect(create!.idempotencyKey).toMatch(
      new RegExp(`^hexabase:subscription:${org.orgId}:0:${ws.body.workspaceId}:g1$`),
    );
    expect(await item(ws.body.workspaceId)).toMatchObject({ planId: 'standard', priceId: PRICES.standard });
    const [account] = await p()
      .db.select()
      .from(billingAccounts)
      .where(eq(billingAccounts.organizationId, org.orgId));
    expect(account).toMatchObject({ customerId: customer, status: 'active' });
    expect(account!.subscriptionId).toMatch(/^sub_/);
    const overview = await json(
      await b.api(`/api/v1/organizations/${org.orgId}/billing`, { token: org.admin.token }),
    );
    expect(overview).toMatchObject({
      enabled: true,
      status: 'active',
      hasPaymentMethod: true,
      customerId: customer,
      items: [{ workspaceId: ws.body.workspaceId, planId: 'standard', amount: 4900, currency: 'usd' }],
      nextInvoice: { currency: 'usd' },
    });
  });

  it('previews a plan change without changing anything, then updates the item with proration', async () => {
    const org = await billedOrganization(p());
    await addPaymentMethod(b, org);
    const ws = await createWorkspace(org, 'standard');
    await b.drain();
    const wsId = ws.body.workspaceId;
    const { itemId } = (await item(wsId))!;
    b.world().reset();
    const preview = await b.api(
      `/api/v1/organizations/${org.orgId}/billing/preview?workspaceId=${wsId}&planId=premium-dedicated`,
      { token: org.admin.token },
    );
    expect(preview.status).toBe(200);
    expect(await json(preview)).toMatchObject({
      workspaceId: wsId,
      fromPlanId: 'standard',
      toPlanId: 'premium-dedicated',
    });
    expect(b.world().requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/invoices/create_preview',
    ]);
    expect(b.world().requests[0]!.params).toMatchObject({
      subscription_details: {
        items: [{ id: itemId, price: PRICES['premium-dedicated'] }],
        proration_behavior: 'create_prorations',
      },
    });
    expect((await item(wsId))!.planId).toBe('standard');

    expect((await changePlan(org, wsId, 'premium-dedicated')).status).toBe(202);
    await b.drain();
    expect(stripeCalls('POST', new RegExp(`^/v1/subscription_items/${itemId}$`))).toMatchObject([
      {
        params: { price: PRICES['premium-dedicated'], proration_behavior: 'create_prorations' },
        idempotencyKey: `hexabase:item-price:${itemId}:${PRICES['premium-dedicated']}:g2`,
      },
    ]);
    expect(await item(wsId)).toMatchObject({
      planId: 'premium-dedicated',
      priceId: PRICES['premium-dedicated'],
    });
  });

  it('adds a second paid workspace as an item, removes it on deletion, and ends the subscription with the last', async () => {
    const org = await billedOrganization(p());
    await addPaymentMethod(b, org);
    const first = (await createWorkspace(org, 'standard')).body.workspaceId;
    await b.drain();
    const second = (await createWorkspace(org, 'standard')).body.workspaceId;
    await b.drain();
    const subscription = (await item(first))!.subscriptionId;
    expect(stripeCalls('POST', /^\/v1\/subscription_items$/).at(-1)).toMatchObject({
      params: {
        subscription,
        price: PRICES.standard,
        proration_behavior: 'create_prorations',
        metadata: { workspaceId: second },
      },
      idempotencyKey: `hexabase:item:${second}:e0:g1`,
    });
    const secondItem = (await item(second))!.itemId;

    b.world().reset();
    const del = (wsId: string) =>
      b.api(`/api/v1/organizations/${org.orgId}/workspaces/${wsId}`, {
        method: 'DELETE',
        token: org.admin.token,
      });
    expect((await del(second)).status).toBe(202);
    await b.drain();
    expect(b.world().requests.map((r) => `${r.method} ${r.path}`)).toContain(
      `DELETE /v1/subscription_items/${secondItem}`,
    );
    expect(await item(second)).toBeUndefined();

    b.world().reset();
    expect((await del(first)).status).toBe(202);
    await b.drain();
    // Stripe keeps a subscription's last item: the subscription ends with the period already paid for.
    expect(b.world().requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `POST /v1/subscriptions/${subscription}`,
    ]);
    expect(b.world().requests[0]!.params).toEqual({ cancel_at_period_end: 'true' });
    const [account] = await p()
      .db.select()
      .from(billingAccounts)
      .where(eq(billingAccounts.organizationId, org.orgId));
    expect(account!.cancelAtPeriodEnd).toBe(true);
    const overview = await json(
      await b.api(`/api/v1/organizations/${org.orgId}/billing`, { token: org.admin.token }),
    );
    expect(overview.items).toEqual([]);
  });

  it('sends the same idempotency key on every retry of a create, across a Stripe outage and a lost commit', async () => {
    const org = await billedOrganization(p());
    await addPaymentMethod(b, org);
    b.world().reset();
    // The subscription is created at Stripe, then adding the second workspace fails: the transaction that would
    // have recorded the subscription rolls back, as if the worker had crashed after Stripe answered.
    const first = (await createWorkspace(org, 'standard')).body.workspaceId;
    const second = (await createWorkspace(org, 'standard')).body.workspaceId;
    b.world().fail({ method: 'POST', path: /^\/v1\/subscription_items$/ }, 500);
    const failed = await b.drain();
    expect(failed.map((d) => d.outcome.kind)).toEqual(['retry', 'retry']);
    expect(await item(first)).toBeUndefined();
    b.world().heal();
    for (const d of failed) expect((await b.deliver(d.event)).kind).toBe('ack');
    const subs = stripeCalls('POST', /^\/v1\/subscriptions$/);
    expect(subs.length).toBeGreaterThanOrEqual(2);
    expect(new Set(subs.map((r) => r.idempotencyKey)).size).toBe(1);
    // Stripe answered the retry with the subscription it had created: recorded once, no second subscription.
    expect((await item(first))?.subscriptionId).toBe((await item(second))?.subscriptionId);
    const items = stripeCalls('POST', /^\/v1\/subscription_items$/);
    // The SDK's own retry and the redelivery: one key for the second workspace's item throughout.
    expect(items.length).toBeGreaterThanOrEqual(4);
    expect(new Set(items.map((r) => r.idempotencyKey))).toEqual(
      new Set([expect.stringContaining(`hexabase:item:${second}:`)]),
    );
    expect(await item(first)).toBeDefined();
    expect(await item(second)).toBeDefined();
  });

  it('answers 503 BILLING_UNAVAILABLE to the user when Stripe is down, and changes nothing', async () => {
    const org = await billedOrganization(p());
    b.world().fail({ path: /^\/v1\/customers/ }, 0);
    try {
      const res = await b.api(`/api/v1/organizations/${org.orgId}/billing/checkout-session`, {
        method: 'POST',
        token: org.admin.token,
        body: JSON.stringify({ returnUrl: 'https://hexabase.example.com/orgs' }),
      });
      expect(res.status).toBe(503);
      expect((await json(res)).code).toBe('BILLING_UNAVAILABLE');
    } finally {
      b.world().heal();
    }
    const [account] = await p()
      .db.select()
      .from(billingAccounts)
      .where(eq(billingAccounts.organizationId, org.orgId));
    expect(account?.customerId ?? null).toBeNull();
  });

  it('refuses a return URL outside this deployment (no open redirect through Stripe)', async () => {
    const org = await billedOrganization(p());
    const res = await b.api(`/api/v1/organizations/${org.orgId}/billing/portal-session`, {
      method: 'POST',
      token: org.admin.token,
      body: JSON.stringify({ returnUrl: 'https://evil.example.net/phish' }),
    });
    expect(res.status).toBe(400);
    expect((await json(res)).code).toBe('INVALID_RETURN_URL');
  });
});
