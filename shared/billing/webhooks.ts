import type Stripe from 'stripe';
import type { Db } from '../db';
import { stripeEvents } from '../db/schema';
import { BadRequestError } from '../errors';
import { EVENTS } from '../events/catalog';
import { enqueue } from '../events/outbox';

/** Stripe's own default: a signature older than this is a replay, whatever else is right about it. */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

const badSignature = (why: string, cause?: unknown) =>
  new BadRequestError('INVALID_SIGNATURE', `The Stripe-Signature header ${why}.`, { cause });

/**
 * A webhook delivery: the signature is checked by the SDK over the raw body, then the event is stored by its id and
 * announced through the outbox in one transaction. A redelivery finds its row and changes nothing; the work itself
 * happens in the billing worker, so Stripe gets its 2xx at once.
 */
export async function receiveStripeWebhook(
  ctx: { db: Db; webhookSecret: string | undefined },
  input: { rawBody: string; signature: string | undefined },
): Promise<{ eventId: string; duplicate: boolean }> {
  if (!ctx.webhookSecret)
    throw badSignature('cannot be checked: this deployment has no STRIPE_WEBHOOK_SECRET');
  if (!input.signature) throw badSignature('is missing');
  let event: Stripe.Event;
  try {
    // Loaded here, not at start: the SDK is most of this function's code, and Stripe retries a slow first answer.
    const { default: StripeSdk } = await import('stripe');
    event = await StripeSdk.webhooks.constructEventAsync(
      input.rawBody,
      input.signature,
      ctx.webhookSecret,
      SIGNATURE_TOLERANCE_SECONDS,
    );
  } catch (err) {
    throw badSignature('does not match the body, the secret or the time (5 minutes at most)', err);
  }
  const object = (event.data?.object ?? {}) as { id?: unknown };
  return ctx.db.transaction(async (tx) => {
    const fresh = await tx
      .insert(stripeEvents)
      .values({
        id: event.id,
        type: event.type,
        payload: event,
        objectId: typeof object.id === 'string' ? object.id : null,
        stripeCreatedAt: new Date(event.created * 1000),
      })
      .onConflictDoNothing()
      .returning({ id: stripeEvents.id });
    if (fresh.length === 0) return { eventId: event.id, duplicate: true };
    await enqueue(tx, {
      type: EVENTS.stripeEventReceived.type,
      source: 'stripe-webhooks',
      subject: event.id,
      data: { stripeEventId: event.id, type: event.type },
    });
    return { eventId: event.id, duplicate: false };
  });
}
