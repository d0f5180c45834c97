import { type BillingContext, billingContext } from '../../shared/billing/stripe';
import type { Logger } from '../../shared/log';
import type { Platform } from '../../shared/platform';

export type BillingWorkerDeps = BillingContext & { log: Logger };

export const fromPlatform = (p: Platform): BillingWorkerDeps => ({
  ...billingContext(p.env, p.db),
  log: p.log,
});
