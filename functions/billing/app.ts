import { signedInApi } from '../../shared/auth/middleware';
import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import type { BillingDeps } from './deps';
import { checkoutSessionOperation } from './routes/checkout-session';
import { getBillingOperation } from './routes/get-billing';
import { listInvoicesOperation } from './routes/list-invoices';
import { portalSessionOperation } from './routes/portal-session';
import { previewPlanChangeOperation } from './routes/preview-plan-change';

export const operations = [
  getBillingOperation,
  checkoutSessionOperation,
  portalSessionOperation,
  listInvoicesOperation,
  previewPlanChangeOperation,
];

/** The organization's billing, org admins only (CONTRACT: Billing); Stripe does the paying. */
export function createBillingApp(deps: BillingDeps, app: AppOptions) {
  const a = createApp({ ...app, name: 'billing' });
  a.use('/api/v1/*', ...signedInApi(deps.auth.auth, deps.billing.db));
  return mountOperations(a, operations, deps);
}
