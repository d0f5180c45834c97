import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import type { StripeWebhooksDeps } from './deps';
import { receiveWebhookOperation } from './routes/receive-webhook';

export const operations = [receiveWebhookOperation];

/**
 * Stripe's webhook endpoint. Not signed in and not under /api/v1: Stripe authenticates with the signature, and no
 * session, CSRF or Idempotency-Key middleware applies. Stripe's events stay well under the 1 MiB body limit.
 */
export function createStripeWebhooksApp(deps: StripeWebhooksDeps, app: AppOptions) {
  return mountOperations(createApp({ ...app, name: 'stripe-webhooks' }), operations, deps);
}
