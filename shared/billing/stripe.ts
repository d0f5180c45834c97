import type Stripe from 'stripe';
import type { Db } from '../db';
import type { Env } from '../env';
import { DependencyUnavailableError } from '../errors';

/**
 * What the billing verbs work through. `stripe` is undefined when billing is off (no STRIPE_SECRET_KEY): every plan
 * is then usable and nothing talks to Stripe. `now` is injected so that the grace period can be tested.
 */
export type BillingContext = {
  db: Db;
  stripe: StripeClient | undefined;
  webhookSecret: string | undefined;
  graceDays: number;
  publicUrl: string;
  now: () => Date;
};

/**
 * The SDK, loaded on first use: it is a quarter of a megabyte, and a cold start of the billing functions should not
 * wait for it (esbuild keeps it in a lazy chunk).
 */
export type StripeClient = () => Promise<Stripe>;

/** A BillingContext whose client is loaded: what the verbs that talk to Stripe work with. */
export type LiveBilling = Omit<BillingContext, 'stripe'> & { stripe: Stripe };

export async function live<C extends BillingContext>(
  ctx: C,
): Promise<(Omit<C, 'stripe'> & { stripe: Stripe }) | undefined> {
  return ctx.stripe ? { ...ctx, stripe: await ctx.stripe() } : undefined;
}

/** The official SDK, pointed at STRIPE_API_URL when set (stripe-mock locally and in tests); nothing else differs. */
export function createStripe(
  env: Pick<Env, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>,
): StripeClient | undefined {
  const key = env.STRIPE_SECRET_KEY;
  if (!key) return undefined;
  const api = env.STRIPE_API_URL ? new URL(env.STRIPE_API_URL) : undefined;
  let client: Promise<Stripe> | undefined;
  return () =>
    (client ??= import('stripe').then(
      ({ default: S }) =>
        new S(key, {
          // The SDK retries connection errors and 409/429/5xx with the same idempotency key, so a retry cannot double.
          // One retry of at most 4 s each keeps a worker's delivery inside the dispatcher's 10 s; it retries after that.
          maxNetworkRetries: 1,
          timeout: 4_000,
          appInfo: { name: 'hexabase' },
          ...(api
            ? {
                host: api.hostname,
                port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
                protocol: api.protocol === 'https:' ? 'https' : 'http',
              }
            : {}),
        }),
    ));
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
    // The SDK's error classes by their `type`, so that this module does not load the SDK.
    const e = err as { type?: unknown; statusCode?: unknown };
    if (
      OUTAGES.has(String(e.type)) ||
      (typeof e.type === 'string' && e.type.startsWith('Stripe') && Number(e.statusCode ?? 0) >= 500)
    )
      throw new DependencyUnavailableError(
        `Stripe could not ${what} right now; try again shortly.`,
        { cause: err },
        'BILLING_UNAVAILABLE',
      );
    throw err;
  }
}

const OUTAGES = new Set([
  'StripeConnectionError',
  'StripeAPIError',
  'StripeRateLimitError',
  'StripeAuthenticationError',
  'StripeIdempotencyError',
]);

/** Stripe's expandable fields hold an id or the object. */
export const idOf = (v: string | { id: string } | null | undefined): string | null =>
  v == null ? null : typeof v === 'string' ? v : v.id;
