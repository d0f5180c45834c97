import { createPortalSession } from '../../../shared/billing/views';
import { stripeRedirectOperation } from '../redirect';

export const portalSessionOperation = stripeRedirectOperation(
  '/api/v1/organizations/{orgId}/billing/portal-session',
  'Open the Stripe Customer Portal: payment methods, invoices, billing details (org admins)',
  createPortalSession,
);
