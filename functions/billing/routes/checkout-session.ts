import { createCheckoutSession } from '../../../shared/billing/views';
import { stripeRedirectOperation } from '../redirect';

export const checkoutSessionOperation = stripeRedirectOperation(
  '/api/v1/organizations/{orgId}/billing/checkout-session',
  'Open Stripe Checkout to add a payment method (org admins)',
  createCheckoutSession,
);
