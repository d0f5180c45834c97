import Stripe from 'stripe';
import type { Db } from '../db';
import type { Env } from '../env';
import { DependencyUnavailableError } from '../errors';

/**
 * What the billing verbs work through. `stripe` is undefined when billing is off (no STRIPE_SECRET_KEY): every plan
 * is then usable and nothing talks to Stripe. `now` is injected so that the grace period can be tested.
 */
export type BillingContext = {
  db: Db;
  stripe: Stripe | undefined;
  webhookSecret: string | undefined;
  graceDays: number;
  publicUrl: string;
  now: () => Date;
};

/** The official SDK, pointed at STRIPE_API_URL when set (stripe-mock locally and in tests); nothing else differs. */
export function createStripe(env: Pick<Env, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>): Stripe | undefined {
  if (!env.STRIPE_SECRET_KEY) return undefined;
  const api = env.STRIPE_API_URL ? new URL(env.STRIPE_API_URL) : undefined;
  return new Stripe(env.STRIPE_SECRET_KEY, {
    // The SDK retries connection errors and 409/429/5xx with the same idempotency key, so a retry cannot double.
    maxNetworkRetries: 2,
    timeout: 10_000,
    appInfo: { name: 'hexabase' },
    ...(api
      ? {
          host: api.hostname,
          port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
          protocol: api.protocol === 'https:' ? 'https' : 'http',
        }
      : {}),
  });
}

export function billingContext(
  env: Pick<
    Env,
    | 'STRIPE_SECRET_KEY'
    | 'STRIPE_API_URL'
    | 'STRIPE_WEBHOOK_SECRET'
    | 'HEXABASE_BILLING_GRACE_DAYS'
    | 'HEXABASE_PUBLIC_URL'
  >,
  db: Db,
): BillingContext {
  return {
    db,
    stripe: createStripe(env),
    webhookSecret: env.STRIPE_WEBHOOK_SECRET,
    graceDays: env.HEXABASE_BILLING_GRACE_DAYS,
    publicUrl: env.HEXABASE_PUBLIC_URL,
    now: () => new Date(),
  };
}

/**
 * Stripe being unreachable, rate limiting or failing is an outage, answered 503 so that callers (and the event
 * dispatcher) retry. An invalid request is our own bug and stays a 500.
 */
export async function stripeCall<T>(what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    if (
      err instanceof Stripe.errors.StripeConnectionError ||
      err instanceof Stripe.errors.StripeAPIError ||
      err instanceof Stripe.errors.StripeRateLimitError ||
      err instanceof Stripe.errors.StripeAuthenticationError ||
      err instanceof Stripe.errors.StripeIdempotencyError ||
      (err instanceof Stripe.errors.StripeError && (err.statusCode ?? 0) >= 500)
    )
      throw new DependencyUnavailableError(
        `Stripe could not ${what} right now; try again shortly.`,
        { cause: err },
        'BILLING_UNAVAILABLE',
      );
    throw err;
  }
}

/** Stripe's expandable fields hold an id or the object. */
export const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;
