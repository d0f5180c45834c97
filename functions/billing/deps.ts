import type { Auth } from '../../shared/auth';
import type { Authz } from '../../shared/authz';
import { type BillingContext, billingContext } from '../../shared/billing/stripe';
import type { Platform } from '../../shared/platform';

export type BillingDeps = { authz: Authz; auth: Auth; billing: BillingContext };

export const fromPlatform = (p: Platform): BillingDeps => ({
  authz: p.authz,
  auth: p.auth,
  billing: billingContext(p.env, p.db),
});
