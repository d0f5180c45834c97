import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, type Billing, type Problem, problemOf } from '../api/client';
import { ErrorMessage } from './feedback';

/** The organization's Billing screen; the suspension email links here too. */
export const billingPath = (orgId: string) => `/orgs/${encodeURIComponent(orgId)}/billing`;

/**
 * This page's address as the place Stripe sends the browser back to: without the markers of an earlier return
 * (the API appends `checkout=…&session_id=…`), with `state` (a form's choices) so the form comes back filled in.
 */
export function returnUrlHere(state: Record<string, string> = {}): string {
  const url = new URL(location.href);
  url.searchParams.delete('checkout');
  url.searchParams.delete('session_id');
  url.hash = '';
  for (const [k, v] of Object.entries(state)) url.searchParams.set(k, v);
  return url.toString();
}

const failed = { data: undefined, error: undefined, response: undefined };

/**
 * A button that opens Stripe: Checkout (add a payment method) or the Customer Portal. The API makes the session
 * for `returnUrl` (this page by default), then the browser goes to Stripe's page, which sends it back there.
 */
export function StripeButton({
  orgId,
  kind,
  label,
  returnUrl,
  secondary,
}: {
  orgId: string;
  kind: 'checkout' | 'portal';
  label: string;
  returnUrl?: () => string;
  secondary?: boolean;
}) {
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  // Back from Stripe with the browser's back button, the page may come from the back-forward cache as it was left.
  useEffect(() => {
    const shown = (e: PageTransitionEvent) => e.persisted && setBusy(false);
    addEventListener('pageshow', shown);
    return () => removeEventListener('pageshow', shown);
  }, []);
  const go = async () => {
    setBusy(true);
    setProblem(undefined);
    const request = { params: { path: { orgId } }, body: { returnUrl: returnUrl?.() ?? returnUrlHere() } };
    const { data, error, response } = await (kind === 'checkout'
      ? api.POST('/api/v1/organizations/{orgId}/billing/checkout-session', request)
      : api.POST('/api/v1/organizations/{orgId}/billing/portal-session', request)
    ).catch(() => failed);
    if (data) return location.assign(data.url); // stays busy while the browser leaves
    setBusy(false);
    setProblem(problemOf(error, response));
  };
  return (
    <>
      <button type="button" class={secondary ? 'secondary' : undefined} disabled={busy} onClick={go}>
        {label}
      </button>
      <ErrorMessage problem={problem} />
    </>
  );
}

/** Answers after Checkout asked for at most this many times, each a second later than the one before (~½ min). */
const MAX_ASKS = 8;

/**
 * GET …/billing (org admins). With `awaitPaymentMethod` (back from Checkout), the payment method arrives with
 * Stripe's webhook, which the billing worker handles a moment later: each answer without it asks once more,
 * after a growing pause, a bounded number of times.
 */
export function useBilling(orgId: string, awaitPaymentMethod = false) {
  const [billing, setBilling] = useState<Billing | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [asked, setAsked] = useState(0);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    let stopped = false;
    api
      .GET('/api/v1/organizations/{orgId}/billing', { params: { path: { orgId } } })
      .catch(() => failed)
      .then(({ data, error, response }) => {
        if (stopped) return;
        if (data) {
          setBilling(data);
          setProblem(undefined);
        } else setProblem(problemOf(error, response));
        setAsked((n) => n + 1);
      });
    return () => {
      stopped = true;
    };
  }, [orgId, tick]);
  const missing = awaitPaymentMethod && billing?.enabled === true && !billing.hasPaymentMethod;
  const waiting = missing && asked < MAX_ASKS;
  useEffect(() => {
    if (!waiting) return;
    const timer = setTimeout(() => setTick((t) => t + 1), 1000 * asked);
    return () => clearTimeout(timer);
  }, [waiting, asked]);
  return {
    billing,
    problem,
    /** Still asking for the payment method Checkout added. */
    waiting,
    /** Asked as often as it will, and the payment method has not shown. */
    gaveUp: missing && !waiting,
    reload: () => setTick((t) => t + 1),
  };
}

/** `?checkout=complete` or `?checkout=cancelled`, as Stripe sends the browser back. */
export function useCheckoutReturn(): 'complete' | 'cancelled' | undefined {
  const { query } = useLocation();
  return query.checkout === 'complete' || query.checkout === 'cancelled' ? query.checkout : undefined;
}

/**
 * What a form says after Checkout: added (and, once the webhook has been handled, that the form can be sent
 * again) or cancelled. Nothing without `?checkout=`.
 */
export function CheckoutReturned({ orgId, then }: { orgId: string; then: string }) {
  const checkout = useCheckoutReturn();
  if (!checkout) return null;
  if (checkout === 'cancelled')
    return (
      <p class="notice" role="status">
        Checkout was cancelled: no payment method was added.
      </p>
    );
  return <PaymentMethodArriving orgId={orgId} then={then} />;
}

function PaymentMethodArriving({ orgId, then }: { orgId: string; then: string }) {
  const { billing, gaveUp } = useBilling(orgId, true);
  return (
    <p class="notice ok" role="status">
      Payment method added; it may take a few seconds to show.
      {billing?.hasPaymentMethod ? ` It is on file now: ${then}` : ''}
      {gaveUp ? ' Stripe has not confirmed it yet: try again in a minute.' : ''}
    </p>
  );
}

/** The API's 402 PAYMENT_METHOD_REQUIRED: a paid plan, and no payment method on the organization. */
export const needsPaymentMethod = (p: Problem | undefined) =>
  p?.status === 402 && p.code === 'PAYMENT_METHOD_REQUIRED';

/** A form's 402: why, and the way to Checkout and back to the same form (`returnUrl`, with its choices). */
export function PaymentRequired({
  orgId,
  orgName,
  planName,
  returnUrl,
}: {
  orgId: string;
  orgName: string;
  planName: string;
  returnUrl: () => string;
}) {
  return (
    <div class="notice warn">
      <p role="alert">
        The {planName} plan is paid, and {orgName} has no payment method yet. Add one with Stripe; you come
        back to this form afterwards.
      </p>
      <div class="actions">
        <StripeButton orgId={orgId} kind="checkout" label="Add a payment method" returnUrl={returnUrl} />
      </div>
    </div>
  );
}
