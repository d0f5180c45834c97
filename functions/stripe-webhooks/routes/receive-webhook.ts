import { receiveStripeWebhook } from '../../../shared/billing/webhooks';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import type { StripeWebhooksDeps } from '../deps';

export const receiveWebhookOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/webhooks/stripe',
    tags: ['Billing'],
    summary: "Stripe's webhook: a signed event, stored once by its id and handled from the outbox",
    description:
      'The raw body is verified against `Stripe-Signature` with STRIPE_WEBHOOK_SECRET (5-minute tolerance). ' +
      'A bad, stale or unverifiable signature answers 400 INVALID_SIGNATURE and stores nothing; a redelivered ' +
      'event answers 200 with `duplicate: true` and has no further effect.',
    request: {
      headers: z.object({ 'stripe-signature': z.string().max(4096).optional() }),
    },
    responses: {
      200: {
        description: 'Stored (or already stored)',
        content: {
          'application/json': {
            schema: z.object({ received: z.literal(true), eventId: z.string(), duplicate: z.boolean() }),
          },
        },
      },
      ...problems(),
    },
  }),
  (deps: StripeWebhooksDeps) => async (c) => {
    // The signature covers the bytes Stripe sent: read them raw, never re-serialised JSON.
    const rawBody = await c.req.text();
    const stored = await receiveStripeWebhook(deps, {
      rawBody,
      signature: c.req.header('stripe-signature'),
    });
    return c.json({ received: true as const, ...stored }, 200);
  },
);
