import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { and, eq, inArray } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditLog, outbox, stripeEvents, workspaces } from '../../shared/db/schema';
import { EVENTS } from '../../shared/events/catalog';
import { stripeEvent } from '../../shared/testing/stripe';
import { accountOf, type Billing, type Paying, payingOrganization, useBilling } from '../billing-testing';

const DAY = 86_400_000;
const uniq = () => randomBytes(4).toString('hex');

const workspace = async (b: Billing, wsId: string) =>
  (await b.platform().db.select().from(workspaces).where(eq(workspaces.id, wsId)))[0]!;

/** What Stripe holds for an org's objects, and an event of `type` about one of them. */
function stripeSays(b: Billing, o: Paying, subscriptionStatus: string) {
  b.world().set(o.subscription, {
    status: subscriptionStatus,
    customer: o.customer,
    cancel_at_period_end: false,
  });
}
function eventAbout(o: Paying, type: string, invoiceId = `in_${uniq()}`) {
  if (type.startsWith('invoice.'))
    return stripeEvent(type, { id: invoiceId, object: 'invoice', customer: o.customer });
  if (type.startsWith('customer.subscription.'))
    return stripeEvent(type, { id: o.subscription, object: 'subscription', customer: o.customer });
  return stripeEvent(type, { id: o.customer, object: 'customer' });
}
const tick = () =>
  new CloudEvent({
    type: EVENTS.reconcileTick.type,
    source: '/hexabase/scheduler',
    id: `tick-${uniq()}`,
    data: {},
  });

describe('Stripe events, the grace period and suspension', () => {
  const b = useBilling();

  it('past due → suspended after the grace period (audited, announced, admins emailed) → paid → resumed', async () => {
    const o = await payingOrganization(b);
    const start = b.clock.now;
    const invoice = `in_${uniq()}`;
    b.world().set(invoice, {
      customer: o.customer,
      parent: { subscription_details: { subscription: o.subscription } },
    });
    stripeSays(b, o, 'past_due');
    expect((await b.webhook(eventAbout(o, 'invoice.payment_failed', invoice))).status).toBe(200);
    await b.drain();
    expect(await accountOf(b, o.orgId)).toMatchObject({ status: 'past_due', pastDueSince: start });
    expect((await workspace(b, o.wsId)).suspendedAt).toBeNull();

    // Six days on, the tick finds nothing to do; after seven, the paid workspace is suspended, the free one not.
    b.clock.now = new Date(start.getTime() + 6 * DAY);
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect((await workspace(b, o.wsId)).status).not.toBe('SUSPENDED');
    b.clock.now = new Date(start.getTime() + 7 * DAY);
    expect((await b.deliver(tick())).kind).toBe('ack');
    const suspended = await workspace(b, o.wsId);
    expect(suspended).toMatchObject({ status: 'SUSPENDED', suspendedAt: b.clock.now, generation: 2 });
    expect((await workspace(b, o.freeWsId)).suspendedAt).toBeNull();
    const announced = await b.platform().db.select().from(outbox).where(eq(outbox.subject, o.wsId));
    expect(announced.map((e) => e.type)).toContain(EVENTS.workspaceSuspended.type);
    const [email] = await b
      .platform()
      .db.select()
      .from(outbox)
      .where(and(eq(outbox.subject, o.orgId), eq(outbox.type, EVENTS.emailRequested.type)));
    expect(email?.data).toEqual({
      template: 'workspaces-suspended',
      organizationId: o.orgId,
      workspaceIds: [o.wsId],
    });
    // A second tick changes nothing more.
    expect((await b.deliver(tick())).kind).toBe('ack');
    expect((await workspace(b, o.wsId)).generation).toBe(2);

    stripeSays(b, o, 'active');
    expect((await b.webhook(eventAbout(o, 'invoice.paid', invoice))).status).toBe(200);
    await b.drain();
    expect(await workspace(b, o.wsId)).toMatchObject({
      status: 'UPDATING',
      suspendedAt: null,
      generation: 3,
    });
    expect(await accountOf(b, o.orgId)).toMatchObject({ status: 'active', pastDueSince: null });
    const audit = await b.platform().db.select().from(auditLog).where(eq(auditLog.workspaceId, o.wsId));
    expect(audit.map((a) => a.action)).toEqual(
      expect.arrayContaining(['workspace.suspended', 'workspace.resumed']),
    );
    expect(audit.find((a) => a.action === 'workspace.suspended')).toMatchObject({
      actorId: null,
      targetId: o.wsId,
    });
    const resumed = await b.platform().db.select().from(outbox).where(eq(outbox.subject, o.wsId));
    expect(resumed.map((e) => e.type)).toContain(EVENTS.workspaceResumed.type);
  });

  it('converges after a handler fails midway: the redelivery reads Stripe again', async () => {
    const o = await payingOrganization(b);
    stripeSays(b, o, 'past_due');
    b.world().fail({ method: 'GET', path: /^\/v1\/subscriptions\// }, 500);
    expect((await b.webhook(eventAbout(o, 'customer.subscription.updated'))).status).toBe(200);
    const [failed] = await b.drain();
    expect(failed!.outcome.kind).toBe('retry');
    expect((await accountOf(b, o.orgId)).status).toBe('active');
    const id = failed!.event.data as { stripeEventId: string };
    const [row] = await b
      .platform()
      .db.select()
      .from(stripeEvents)
      .where(eq(stripeEvents.id, id.stripeEventId));
    expect(row!.processedAt).toBeNull();
    b.world().heal();
    expect((await b.deliver(failed!.event)).kind).toBe('ack');
    expect((await accountOf(b, o.orgId)).status).toBe('past_due');
  });

  it('ends in the same state from 1,000 events replayed in shuffled order as in order, duplicates included', async () => {
    const inOrder = await payingOrganization(b);
    const shuffled = await payingOrganization(b);
    const types = [
      'invoice.payment_failed',
      'customer.subscription.updated',
      'invoice.paid',
      'customer.updated',
      'customer.subscription.created',
    ];
    const stream = (o: Paying) => {
      const events = Array.from({ length: 950 }, (_, i) =>
        eventAbout(o, types[i % types.length]!, `in_${o.orgId}`),
      );
      return [...events, ...events.slice(0, 50)]; // 50 redelivered
    };
    // What Stripe holds once all of it happened: the last payment failed, the card is still the default.
    for (const o of [inOrder, shuffled]) {
      stripeSays(b, o, 'past_due');
      b.world().set(`in_${o.orgId}`, { customer: o.customer });
    }
    for (const e of stream(inOrder)) expect((await b.webhook(e)).status).toBe(200);
    const ordered = await b.drain();
    // Shuffled, and handled eight at a time as the dispatcher delivers them: racing handlers of one organization.
    for (const e of stream(shuffled).sort(() => Math.random() - 0.5))
      expect((await b.webhook(e)).status).toBe(200);
    const raced = await b.drain({ concurrency: 8 });
    for (const outcomes of [ordered, raced]) {
      expect(outcomes).toHaveLength(950); // one announcement per distinct event, however often it came
      expect(outcomes.filter((d) => d.outcome.kind !== 'ack')).toEqual([]);
    }
    const state = async (o: Paying) => {
      const {
        organizationId: _o,
        customerId: _c,
        subscriptionId: _s,
        updatedAt: _u,
        defaultPaymentMethod,
        ...account
      } = await accountOf(b, o.orgId);
      expect(defaultPaymentMethod).toBe(o.paymentMethod);
      const ws = await b
        .platform()
        .db.select({ status: workspaces.status, suspendedAt: workspaces.suspendedAt })
        .from(workspaces)
        .where(inArray(workspaces.id, [o.wsId, o.freeWsId]));
      return { account, ws };
    };
    const expected = await state(inOrder);
    expect(expected.account).toMatchObject({ status: 'past_due', pastDueSince: b.clock.now });
    expect(await state(shuffled)).toEqual(expected);
  }, 600_000);
});
