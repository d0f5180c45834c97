import { randomBytes } from 'node:crypto';
import { eq, inArray } from 'drizzle-orm';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { outbox, stripeEvents } from '../../../shared/db/schema';
import { EVENTS } from '../../../shared/events/catalog';
import { json } from '../../../shared/testing/http';
import { newWebhookSecret, signedWebhook, stripeEvent } from '../../../shared/testing/stripe';
import { useBilling } from '../../billing-testing';

const stored = async (b: ReturnType<typeof useBilling>, ids: string[]) => ({
  events: await b.platform().db.select().from(stripeEvents).where(inArray(stripeEvents.id, ids)),
  announced: await b.platform().db.select().from(outbox).where(inArray(outbox.subject, ids)),
});

describe('POST /webhooks/stripe', () => {
  const b = useBilling();
  const post = (body: string, signature?: string) =>
    b.api('/webhooks/stripe', {
      method: 'POST',
      body,
      headers: signature ? { 'stripe-signature': signature } : {},
    });

  it('stores a signed event once and announces it through the outbox in the same transaction', async () => {
    const event = stripeEvent('invoice.paid', { id: 'in_1', object: 'invoice', customer: 'cus_1' });
    const res = await b.webhook(event);
    expect(res.status).toBe(200);
    expect(await json(res)).toEqual({ received: true, eventId: event.id, duplicate: false });
    const { events, announced } = await stored(b, [event.id]);
    expect(events).toMatchObject([
      { id: event.id, type: 'invoice.paid', objectId: 'in_1', processedAt: null },
    ]);
    expect(announced).toMatchObject([
      {
        type: EVENTS.stripeEventReceived.type,
        source: '/hexabase/stripe-webhooks',
        data: { stripeEventId: event.id, type: 'invoice.paid' },
      },
    ]);
  });

  it('has one effect for the same event delivered five times', async () => {
    const event = stripeEvent('customer.updated', { id: 'cus_5', object: 'customer' });
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await json(await b.webhook(event)));
    expect(answers.map((a) => a.duplicate)).toEqual([false, true, true, true, true]);
    const { events, announced } = await stored(b, [event.id]);
    expect(events).toHaveLength(1);
    expect(announced).toHaveLength(1);
  });

  const refused = (why: string, make: () => { body: string; signature?: string; id: string }) =>
    it(`answers 400 and stores nothing for ${why}`, async () => {
      const { body, signature, id } = make();
      const res = await post(body, signature);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
      expect((await json(res)).code).toBe('INVALID_SIGNATURE');
      const { events, announced } = await stored(b, [id]);
      expect(events).toEqual([]);
      expect(announced).toEqual([]);
    });

  const event = () =>
    stripeEvent('invoice.paid', { id: `in_${randomBytes(4).toString('hex')}`, object: 'invoice' });
  refused('a body changed after signing', () => {
    const e = event();
    const { headers } = signedWebhook(b.world(), e);
    return {
      body: JSON.stringify({ ...e, type: 'invoice.payment_failed' }),
      signature: headers['stripe-signature'],
      id: e.id,
    };
  });
  refused('a stale timestamp (older than 5 minutes)', () => {
    const e = event();
    const { body, headers } = signedWebhook(b.world(), e, { timestamp: Math.floor(Date.now() / 1000) - 301 });
    return { body, signature: headers['stripe-signature'], id: e.id };
  });
  refused('another secret', () => {
    const e = event();
    const { body, headers } = signedWebhook({ webhookSecret: newWebhookSecret() }, e);
    return { body, signature: headers['stripe-signature'], id: e.id };
  });
  refused('no Stripe-Signature header', () => {
    const e = event();
    return { body: JSON.stringify(e), id: e.id };
  });
  refused('a garbled header', () => {
    const e = event();
    return { body: JSON.stringify(e), signature: 't=abc,v1=zz', id: e.id };
  });

  it('is the SDK that checks: a header built by hand with the right HMAC is accepted', async () => {
    const e = event();
    const body = JSON.stringify(e);
    const signature = Stripe.webhooks.generateTestHeaderString({
      payload: body,
      secret: b.world().webhookSecret,
    });
    expect((await post(body, signature)).status).toBe(200);
    const [row] = await b.platform().db.select().from(stripeEvents).where(eq(stripeEvents.id, e.id));
    expect(row?.stripeCreatedAt?.getTime()).toBe(e.created * 1000);
  });
});

describe('POST /webhooks/stripe without STRIPE_WEBHOOK_SECRET', () => {
  const b = useBilling({ STRIPE_WEBHOOK_SECRET: '' });
  it('refuses every delivery as badly signed', async () => {
    const res = await b.webhook(stripeEvent('invoice.paid', { id: 'in_x', object: 'invoice' }));
    expect(res.status).toBe(400);
    expect((await json(res)).detail).toContain('no STRIPE_WEBHOOK_SECRET');
  });
});
