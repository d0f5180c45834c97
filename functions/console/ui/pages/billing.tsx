import { useEffect, useState } from 'preact/hooks';
import { useLocation, useRoute } from 'preact-iso';
import {
  api,
  type Billing as BillingOverview,
  type Invoice,
  type Plan,
  type Problem,
  problemOf,
  type Workspace,
} from '../api/client';
import { billingPath, StripeButton, useBilling, useCheckoutReturn } from '../components/billing';
import { ErrorMessage, Loading } from '../components/feedback';
import { formatDay, money } from '../components/money';
import { Page } from '../components/page';
import { useSignedIn } from '../session';
import { usePlans } from './create-workspace';
import { NotFound } from './not-found';

const failed = { data: undefined, error: undefined, response: undefined };

/** `/billing`: goes to the chosen organization's Billing screen. */
export function BillingOfChosenOrg() {
  const { org } = useSignedIn();
  const { route } = useLocation();
  useEffect(() => {
    if (org) route(billingPath(org.id), true);
  }, [org?.id]);
  if (org) return null;
  return (
    <Page title="Billing">
      <p>
        You belong to no organization. <a href="/organizations">Create one</a>.
      </p>
    </Page>
  );
}

/**
 * `/orgs/{orgId}/billing` (the suspension email's link): that organization's billing, which becomes the chosen
 * one. An organization the caller does not belong to is "Not found", as everywhere.
 */
export function Billing() {
  const { params } = useRoute();
  return <BillingScreen orgId={params.orgId ?? ''} />;
}

function BillingScreen({ orgId }: { orgId: string }) {
  const session = useSignedIn();
  const org = session.me.organizations.find((o) => o.id === orgId);
  useEffect(() => {
    if (org && session.org?.id !== org.id) session.selectOrg(org.id);
  }, [org?.id]);
  if (!org) return <NotFound />;
  if (org.role !== 'admin')
    return (
      <Page title="Billing">
        <p>
          The billing of <strong>{org.name}</strong> is for its admins: ask one of them about payment methods,
          invoices or a suspended workspace.
        </p>
      </Page>
    );
  return <AdminBilling key={org.id} orgId={org.id} orgName={org.name} />;
}

function AdminBilling({ orgId, orgName }: { orgId: string; orgName: string }) {
  const checkout = useCheckoutReturn();
  const { billing, problem, waiting, gaveUp } = useBilling(orgId, checkout === 'complete');
  return (
    <Page title="Billing">
      <p class="muted">
        Payment and invoices of <strong>{orgName}</strong>.
      </p>
      {checkout === 'complete' && (
        <p class="notice ok" role="status">
          Payment method added; it may take a few seconds to show.
          {waiting ? ' Waiting for Stripe to confirm it…' : ''}
          {gaveUp ? ' Stripe has not confirmed it yet: reload this page in a minute.' : ''}
        </p>
      )}
      {checkout === 'cancelled' && (
        <p class="notice" role="status">
          Checkout was cancelled: no payment method was added.
        </p>
      )}
      <ErrorMessage problem={problem} />
      {!billing ? (
        !problem && <Loading what="billing" />
      ) : !billing.enabled ? (
        <section aria-labelledby="billing-off" class="card">
          <h2 id="billing-off">No charges on this deployment</h2>
          <p>
            Billing is off here: this deployment does not charge, and every plan is available to every
            workspace without a payment method.
          </p>
          <p>
            <a href="/workspaces/new">Create a workspace</a>
          </p>
        </section>
      ) : (
        <>
          <Payment orgId={orgId} billing={billing} />
          <CurrentPlans orgId={orgId} billing={billing} />
          <NextInvoice billing={billing} />
          <Invoices orgId={orgId} />
        </>
      )}
    </Page>
  );
}

const STATUS: Record<BillingOverview['status'], string> = {
  none: 'None',
  active: 'Active',
  past_due: 'Past due',
  canceled: 'Canceled',
};

function BillingStatus({ status }: { status: BillingOverview['status'] }) {
  return <span class={`status billing-${status.replace('_', '-')}`}>{STATUS[status]}</span>;
}

/** Subscription status, payment method, and the ways to Stripe: Checkout to add one, the portal to manage it. */
function Payment({ orgId, billing }: { orgId: string; billing: BillingOverview }) {
  return (
    <section aria-labelledby="payment" class="card">
      <h2 id="payment">Payment</h2>
      <dl class="facts">
        <dt>Subscription</dt>
        <dd>
          <BillingStatus status={billing.status} />
          {billing.status === 'none' && <span class="muted"> no paid workspace yet</span>}
        </dd>
        <dt>Payment method</dt>
        <dd>{billing.hasPaymentMethod ? 'On file' : 'None yet'}</dd>
      </dl>
      {billing.status === 'past_due' && (
        <p class="notice warn">
          <strong>Payment is past due.</strong> Stripe could not charge the last invoice. Update the payment
          method in Manage billing: paid workspaces are suspended when it stays unpaid past the grace period.
        </p>
      )}
      {billing.status === 'canceled' && (
        <p class="notice">
          The subscription has ended. A new one starts with the next workspace on a paid plan.
        </p>
      )}
      {!billing.hasPaymentMethod && (
        <p class="muted">
          Paid plans need a payment method; Stripe keeps it, Hexabase never sees card numbers.
        </p>
      )}
      <div class="actions">
        {!billing.hasPaymentMethod && (
          <StripeButton orgId={orgId} kind="checkout" label="Add payment method" />
        )}
        {billing.customerId && (
          <StripeButton
            orgId={orgId}
            kind="portal"
            label="Manage billing"
            secondary={!billing.hasPaymentMethod}
          />
        )}
      </div>
    </section>
  );
}

/** Every workspace of the organization (first 100) with its plan and what it costs a month. */
function useWorkspaces(orgId: string) {
  const [items, setItems] = useState<Workspace[] | undefined>(undefined);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  useEffect(() => {
    api
      .GET('/api/v1/organizations/{orgId}/workspaces', { params: { path: { orgId }, query: { limit: 100 } } })
      .catch(() => failed)
      .then(({ data, error, response }) => {
        if (data) setItems(data.items);
        else setProblem(problemOf(error, response));
      });
  }, [orgId]);
  return { items, problem };
}

type Row = { id: string; name: string | undefined; plan: Plan | undefined; planId: string; price: string };

/** The billed items joined with the workspaces (names) and the plans (names, prices); free workspaces too. */
function rowsOf(billing: BillingOverview, workspaces: Workspace[], plans: Plan[]): Row[] {
  const planOf = (id: string) => plans.find((p) => p.id === id);
  const billed = billing.items.map((i) => ({
    id: i.workspaceId,
    name: workspaces.find((w) => w.id === i.workspaceId)?.name,
    plan: planOf(i.planId),
    planId: i.planId,
    price: `${money(i.amount, i.currency)} / month`,
  }));
  const unbilled = workspaces
    .filter((w) => !billing.items.some((i) => i.workspaceId === w.id))
    .map((w) => {
      const plan = planOf(w.planId);
      const paid = plan && plan.price > 0;
      return {
        id: w.id,
        name: w.name,
        plan,
        planId: w.planId,
        price: paid ? `${money(plan.price, plan.currency)} / month (not billed yet)` : 'Free',
      };
    });
  return [...billed, ...unbilled];
}

function CurrentPlans({ orgId, billing }: { orgId: string; billing: BillingOverview }) {
  const { items: workspaces, problem } = useWorkspaces(orgId);
  const { plans, problem: plansProblem } = usePlans();
  const currencies = new Set(billing.items.map((i) => i.currency));
  const total =
    currencies.size === 1
      ? money(
          billing.items.reduce((sum, i) => sum + i.amount, 0),
          [...currencies][0]!,
        )
      : undefined;
  const rows = workspaces && plans ? rowsOf(billing, workspaces, plans) : undefined;
  return (
    <section aria-labelledby="plans" class="card">
      <h2 id="plans">Workspaces and plans</h2>
      <ErrorMessage problem={problem ?? plansProblem} />
      {!rows ? (
        !problem && !plansProblem && <Loading what="workspaces and plans" />
      ) : rows.length === 0 ? (
        <p class="empty">
          No workspaces yet. <a href="/workspaces/new">Create one</a>: paid plans are billed monthly, per
          workspace.
        </p>
      ) : (
        <div class="table-wrap">
          <table>
            <caption class="visually-hidden">Plans of the workspaces</caption>
            <thead>
              <tr>
                <th scope="col">Workspace</th>
                <th scope="col">Plan</th>
                <th scope="col">Price</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.id}>
                  <th scope="row">
                    <a href={`/workspaces/${r.id}`}>{r.name ?? r.id}</a>
                  </th>
                  <td>{r.plan?.name ?? r.planId}</td>
                  <td>{r.price}</td>
                </tr>
              ))}
            </tbody>
            {total && billing.items.length > 0 && (
              <tfoot>
                <tr>
                  <th scope="row" colSpan={2}>
                    Billed per month
                  </th>
                  <td>{total}</td>
                </tr>
              </tfoot>
            )}
          </table>
        </div>
      )}
    </section>
  );
}

function NextInvoice({ billing }: { billing: BillingOverview }) {
  const next = billing.nextInvoice;
  return (
    <section aria-labelledby="next-invoice" class="card">
      <h2 id="next-invoice">Next invoice</h2>
      {next ? (
        <dl class="facts">
          <dt>Amount</dt>
          <dd>{money(next.amountDue, next.currency)}</dd>
          <dt>Date</dt>
          <dd>{formatDay(next.periodEnd)}</dd>
        </dl>
      ) : (
        <p class="muted">No invoice is coming: nothing is billed until a workspace is on a paid plan.</p>
      )}
    </section>
  );
}

const PAGE = 10;

/** Stripe's invoices, newest first, a page at a time; each links to Stripe's invoice page and its PDF. */
function Invoices({ orgId }: { orgId: string }) {
  const [items, setItems] = useState<Invoice[] | undefined>(undefined);
  const [next, setNext] = useState<string | null>(null);
  const [problem, setProblem] = useState<Problem | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const load = async (cursor?: string) => {
    setBusy(true);
    const { data, error, response } = await api
      .GET('/api/v1/organizations/{orgId}/billing/invoices', {
        params: { path: { orgId }, query: { limit: PAGE, ...(cursor ? { cursor } : {}) } },
      })
      .catch(() => failed);
    setBusy(false);
    if (!data) return setProblem(problemOf(error, response));
    setProblem(undefined);
    setItems((old) => (cursor ? [...(old ?? []), ...data.items] : data.items));
    setNext(data.nextCursor);
  };
  useEffect(() => {
    void load();
  }, [orgId]);
  return (
    <section aria-labelledby="invoices" class="card">
      <h2 id="invoices">Invoices</h2>
      <ErrorMessage problem={problem} />
      {!items ? (
        !problem && <Loading what="invoices" />
      ) : items.length === 0 ? (
        <p class="empty">No invoices yet.</p>
      ) : (
        <div class="table-wrap">
          <table aria-labelledby="invoices">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Period</th>
                <th scope="col">Status</th>
                <th scope="col">Amount due</th>
                <th scope="col">Amount paid</th>
                <th scope="col">Invoice</th>
              </tr>
            </thead>
            <tbody>
              {items.map((i) => {
                const name = i.number ?? i.id;
                return (
                  <tr key={i.id}>
                    <th scope="row">{name}</th>
                    <td>
                      {formatDay(i.periodStart)} – {formatDay(i.periodEnd)}
                    </td>
                    <td>{i.status ?? '—'}</td>
                    <td>{money(i.amountDue, i.currency)}</td>
                    <td>{money(i.amountPaid, i.currency)}</td>
                    <td>
                      {i.hostedInvoiceUrl || i.pdfUrl ? (
                        <span class="row-actions">
                          {i.hostedInvoiceUrl && (
                            <a href={i.hostedInvoiceUrl} target="_blank" rel="noopener">
                              View<span class="visually-hidden"> invoice {name} (opens in a new tab)</span>
                            </a>
                          )}
                          {i.pdfUrl && (
                            <a href={i.pdfUrl} target="_blank" rel="noopener">
                              PDF<span class="visually-hidden"> of invoice {name} (opens in a new tab)</span>
                            </a>
                          )}
                        </span>
                      ) : (
                        <span class="muted">not issued yet</span>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      )}
      {next && items && (
        <button type="button" class="secondary" disabled={busy} onClick={() => load(next)}>
          Load more invoices
        </button>
      )}
    </section>
  );
}
