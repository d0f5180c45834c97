import { accountsToCheck } from '../../shared/billing/dunning';
import { handleStripeEvent, settle } from '../../shared/billing/events';
import { reportMeteredUsage } from '../../shared/billing/metering';
import { organizationsOutOfStep, syncSubscription } from '../../shared/billing/sync';
import { EVENTS } from '../../shared/events/catalog';
import { cloudEventHandler } from '../../shared/events/receive';
import { BILLING_EVENTS } from '../../shared/events/triggers';
import { type AppOptions, createApp } from '../../shared/http/app';
import type { BillingWorkerDeps } from './deps';

export const operations = [];

/**
 * Billing's worker. Workspace lifecycle events sync the organization's subscription items; Stripe's events are
 * read back from Stripe and recorded; the tick re-syncs organizations whose items are out of step (a sync that
 * ran out of retries), applies the grace period and reports the completed hours' metered usage. Everything is
 * level-triggered and keyed by our ids, so it runs without an inbox row (`once: false`) and holds no transaction
 * while it waits for Stripe except the organization's own account lock. Stripe being unavailable answers 503: the
 * dispatcher retries with backoff.
 */
export function createBillingWorkerApp(deps: BillingWorkerDeps, app: AppOptions) {
  const a = createApp({
    ...app,
    name: 'billing-worker',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post(
    '/events',
    cloudEventHandler({
      db: deps.db,
      consumer: 'billing',
      once: false,
      accepts: BILLING_EVENTS,
      handle: async (_db, event) => {
        if (!deps.stripe) return;
        if (event.type === EVENTS.stripeEventReceived.type)
          return handleStripeEvent(deps, event.data.stripeEventId);
        if (event.type === EVENTS.reconcileTick.type || event.type === EVENTS.knativePing.type) {
          for (const orgId of await organizationsOutOfStep(deps)) await syncSubscription(deps, orgId);
          for (const orgId of await accountsToCheck(deps)) await settle(deps, orgId);
          await reportMeteredUsage(deps);
          return;
        }
        await syncSubscription(deps, event.data.organizationId);
        await settle(deps, event.data.organizationId);
      },
    }),
  );
  return a;
}
