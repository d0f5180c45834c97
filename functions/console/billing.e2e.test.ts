import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { plans, stripeEvents, workspaces } from '../../shared/db/schema';
import { type Backbone, startEventBackbone } from '../../shared/events/backbone';
import { priceThePlans } from '../../shared/testing/billing';
import { expectAccessible, expectFitsWidth, screenshot, useBrowser } from '../../shared/testing/chromium';
import { createCertificateAuthority } from '../../shared/testing/kube/pki';
import { usePlatform } from '../../shared/testing/platform';
import { type StripeWorld, signedWebhook, startStripe, stripeEvent } from '../../shared/testing/stripe';

/** The provisioner's wording for a workspace billing suspended (shared/provisioner/suspension.ts). */
const SUSPENDED_MESSAGE = 'Suspended for non-payment: the vCluster is scaled to zero; its data is kept';

/**
 * Billing as an organization's admin meets it, in Chromium: the platform with billing on against Stripe's own
 * stripe-mock behind the test's "world" (shared/testing/stripe.ts), behind an HTTPS public URL with its own CA, events
 * moved in process (the webhook's event reaches the billing worker as in `npm start`), no cluster (nothing here
 * needs a workspace to run). Stripe's hosted pages are never loaded: the browser's navigation to Checkout is caught
 * at the network layer, and Stripe's side of Checkout (the customer's default payment method, the signed
 * `checkout.session.completed` webhook, the redirect back) is played by the test.
 */
describe('billing in the console, end to end in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-billing-e2e-'));
  let world: StripeWorld | undefined;
  let server: Server | undefined;
  let port = 0;
  let caPem = '';
  let handler: (req: never, res: never) => void = () => {};
  // Stripe and the public URL first: the platform's environment names them. Torn down last (hooks unwind).
  beforeAll(async () => {
    world = await startStripe();
    const ca = await createCertificateAuthority('hexabase-public-ca');
    const tls = await ca.issue({ cn: 'localhost', ips: ['127.0.0.1'] });
    caPem = ca.certPem;
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) =>
      handler(req as never, res as never),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(async () => {
    server?.close();
    await world?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = (path: string) => `https://127.0.0.1:${port}${path}`;
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: url(''),
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_DATA_DIR: dataDir,
    // The in-process dispatcher: this file's events reach only this file's workers.
    NATS_URL: '',
    ...world!.env,
  }));
  const chrome = useBrowser({ trust: () => [caPem] });

  describe('served as npm start serves it, billing on', () => {
    let local: ReturnType<typeof createLocalServer>;
    let backbone: Backbone | undefined;
    beforeAll(async () => {
      local = createLocalServer(platform());
      handler = getRequestListener((req) => local.fetch(req)) as never;
      backbone = await startEventBackbone(platform(), { deliver: local.deliver, registry: local.registry });
      // What the operator's `npm run stripe:sync` records: a Stripe price per paid plan (without one the API
      // answers 422 PLAN_NOT_FOR_SALE).
      await priceThePlans(platform().db);
      // No invoices until a test lists some (stripe-mock would answer its fixture invoice).
      world!.list('/v1/invoices', []);
    });
    afterAll(() => backbone?.stop());

    /** axe and a full-page screenshot in light and dark, then the 375 px check; findings go to the last test. */
    const findings: string[] = [];
    const capture = async (page: Page, name: string) => {
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        await expectAccessible(page, `${name} (${colorScheme})`).catch((err: Error) =>
          findings.push(err.message),
        );
        await screenshot(page, name);
      }
      await page.emulateMedia({ colorScheme: 'light' });
      await expectFitsWidth(page, name).catch((err: Error) => findings.push(err.message));
    };
    const heading = (page: Page, name: string | RegExp) => page.getByRole('heading', { level: 1, name });
    const noLoading = (page: Page) =>
      expect
        .poll(() =>
          page
            .getByRole('status')
            .filter({ hasText: /^Loading/ })
            .count(),
        )
        .toBe(0);
    const facts = (page: Page, term: string) =>
      page.locator('dl.facts dt', { hasText: term }).locator('xpath=following-sibling::dd[1]');

    /** Stripe's hosted pages: the navigation is answered by the test, never by the network. */
    const CHECKOUT = /^https:\/\/checkout\.stripe\.com\//;
    const stripePages: string[] = [];
    const catchStripe = (page: Page) =>
      page.route(CHECKOUT, (route) => {
        stripePages.push(route.request().url());
        return route.fulfill({
          status: 200,
          contentType: 'text/html',
          body: '<!doctype html><html lang="en"><title>Stripe Checkout (stand-in)</title><h1>Checkout</h1></html>',
        });
      });
    /** The success_url of the Checkout session the API asked stripe-mock for last. */
    const lastCheckout = () => {
      const made = world!.requests.filter((r) => r.method === 'POST' && r.path === '/v1/checkout/sessions');
      expect(made.length).toBeGreaterThan(0);
      return made.at(-1)!.params as {
        success_url: string;
        cancel_url: string;
        customer: string;
        mode: string;
      };
    };
    /** GET …/billing as the page's own session sees it (same origin, cookies). */
    const billingOf = (page: Page, orgId: string) =>
      page.evaluate(
        (id) => fetch(`/api/v1/organizations/${id}/billing`).then((r) => r.json()),
        orgId,
      ) as Promise<{ customerId?: string; hasPaymentMethod: boolean; status: string; items: unknown[] }>;

    let admin: Page;
    let orgId = '';
    let freeWsId = '';
    let paidWsId = '';

    it('shows an organization without a payment method: status none, and a way to add one', async () => {
      admin = await (await chrome.newContext()).newPage();
      await catchStripe(admin);
      await admin.goto(url('/workspaces'));
      await heading(admin, 'Sign in to Hexabase').waitFor();
      await admin.getByRole('heading', { name: 'Development sign-in' }).waitFor();
      await admin.getByLabel('Email').fill('grace@example.com');
      await admin.getByLabel('Name').fill('Grace Hopper');
      await admin.getByRole('button', { name: 'Sign in' }).click();
      await heading(admin, 'Workspaces').waitFor();

      await admin.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
      await heading(admin, 'Billing').waitFor();
      orgId = /^\/orgs\/([^/]+)\/billing$/.exec(new URL(admin.url()).pathname)?.[1] ?? '';
      expect(orgId).toMatch(/^org-/);
      expect(
        await admin
          .getByRole('navigation', { name: 'Main' })
          .getByRole('link', { name: 'Billing' })
          .getAttribute('aria-current'),
      ).toBe('page');
      await noLoading(admin);
      expect(await facts(admin, 'Subscription').textContent()).toMatch(/^None/);
      expect(await facts(admin, 'Payment method').textContent()).toBe('None yet');
      await admin.getByRole('button', { name: 'Add payment method' }).waitFor();
      await admin.getByText('No invoices yet.').waitFor();
      await admin.getByText('No workspaces yet.').waitFor();
      await capture(admin, 'billing-none');
    });

    it('refuses a paid workspace with 402, offering Checkout that comes back to the filled-in form', async () => {
      // A free plan needs nothing.
      await admin.goto(url('/workspaces/new'));
      await heading(admin, 'Create workspace').waitFor();
      await admin.getByLabel('Workspace name').fill('sandbox');
      await admin.getByRole('radiogroup', { name: 'Plan' }).getByRole('radio', { name: 'Free' }).check();
      await admin.getByRole('button', { name: 'Create workspace' }).click();
      await heading(admin, 'sandbox').waitFor();
      freeWsId = /\/workspaces\/([^/?]+)\?task=/.exec(admin.url())?.[1] ?? '';
      expect(freeWsId).toMatch(/^ws-/);

      await admin.goto(url('/workspaces/new'));
      await heading(admin, 'Create workspace').waitFor();
      await admin.getByLabel('Workspace name').fill('production');
      await admin.getByRole('radiogroup', { name: 'Plan' }).getByRole('radio', { name: 'Standard' }).check();
      const refused = admin.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/organizations\/[^/]+\/workspaces$/.test(r.url()),
      );
      await admin.getByRole('button', { name: 'Create workspace' }).click();
      const answer = await refused;
      expect(answer.status()).toBe(402);
      expect(await answer.json()).toMatchObject({ code: 'PAYMENT_METHOD_REQUIRED' });
      await admin.getByRole('alert').filter({ hasText: 'The Standard plan is paid' }).waitFor();
      await admin.getByRole('button', { name: 'Add a payment method' }).waitFor();
      await capture(admin, 'billing-payment-required');

      await admin.getByRole('button', { name: 'Add a payment method' }).click();
      await admin.waitForURL(CHECKOUT);
      expect(stripePages.at(-1)).toMatch(CHECKOUT);
      const session = lastCheckout();
      expect(session.mode).toBe('setup');
      const back = new URL(session.success_url);
      expect(back.origin + back.pathname).toBe(url('/workspaces/new'));
      expect(Object.fromEntries(back.searchParams)).toEqual({
        name: 'production',
        plan: 'standard',
        checkout: 'complete',
        session_id: '{CHECKOUT_SESSION_ID}',
      });
      expect(new URL(session.cancel_url).searchParams.get('checkout')).toBe('cancelled');

      // Cancelled on Stripe's page: back to the form as it was left.
      await admin.goto(session.cancel_url);
      await heading(admin, 'Create workspace').waitFor();
      await admin.getByRole('status').filter({ hasText: 'Checkout was cancelled' }).waitFor();
      expect(await admin.getByLabel('Workspace name').inputValue()).toBe('production');
      expect(
        await admin
          .getByRole('radiogroup', { name: 'Plan' })
          .getByRole('radio', { name: 'Standard' })
          .isChecked(),
      ).toBe(true);
    });

    it('shows the prorated price of a move to a paid plan, then the same 402 on the plan change', async () => {
      await admin.goto(url(`/workspaces/${freeWsId}`));
      await heading(admin, 'sandbox').waitFor();
      await admin.getByLabel('New plan').selectOption('standard');
      await admin.getByRole('heading', { name: 'Price of this change' }).waitFor();
      await admin.getByText('Prorated amount').waitFor();
      expect(await facts(admin, 'Prorated amount').textContent()).toMatch(/\$\d/);
      await noLoading(admin);
      await capture(admin, 'billing-plan-change-preview');

      await admin.getByRole('button', { name: 'Change plan' }).click();
      await admin.getByRole('alert').filter({ hasText: 'The Standard plan is paid' }).waitFor();
      await admin.getByRole('button', { name: 'Add a payment method' }).waitFor();
      const [ws] = await platform().db.select().from(workspaces).where(eq(workspaces.id, freeWsId));
      expect(ws?.planId).toBe('free'); // nothing changed
    });

    it('adds a payment method through Checkout: the webhook records it, the page shows it on return', async () => {
      await admin.goto(url(`/orgs/${orgId}/billing`));
      await heading(admin, 'Billing').waitFor();
      await admin.getByRole('button', { name: 'Add payment method' }).click();
      await admin.waitForURL(CHECKOUT);
      const session = lastCheckout();
      expect(new URL(session.success_url).pathname).toBe(`/orgs/${orgId}/billing`);
      // Back without paying (the browser's back button): the page is usable again.
      await admin.goBack();
      await heading(admin, 'Billing').waitFor();
      await expect
        .poll(() => admin.getByRole('button', { name: 'Add payment method' }).isEnabled())
        .toBe(true);

      // Stripe's side: the customer now has a default payment method, and the session is complete.
      const { customerId, hasPaymentMethod } = await billingOf(admin, orgId);
      expect(hasPaymentMethod).toBe(false);
      expect(customerId).toMatch(/^cus_/);
      expect(session.customer).toBe(customerId);
      const sessionId = 'cs_test_hexabase_e2e';
      world!.set(customerId!, { invoice_settings: { default_payment_method: 'pm_card_visa' } });
      world!.set(sessionId, { customer: customerId, status: 'complete', mode: 'setup' });
      const delivery = signedWebhook(
        world!,
        stripeEvent('checkout.session.completed', {
          id: sessionId,
          object: 'checkout.session',
          mode: 'setup',
          status: 'complete',
          customer: customerId,
        }),
      );
      const received = await local.fetch(
        new Request(url('/webhooks/stripe'), {
          method: 'POST',
          headers: delivery.headers,
          body: delivery.body,
        }),
      );
      expect(received.status).toBe(200);

      // Stripe sends the browser back at once; the billing worker may not have handled the event yet.
      await admin.goto(session.success_url.replace('{CHECKOUT_SESSION_ID}', sessionId));
      await heading(admin, 'Billing').waitFor();
      await admin
        .getByRole('status')
        .filter({ hasText: 'Payment method added; it may take a few seconds to show.' })
        .waitFor();
      await expect
        .poll(() => facts(admin, 'Payment method').textContent(), { timeout: 60_000 })
        .toBe('On file');
      const [event] = await platform()
        .db.select()
        .from(stripeEvents)
        .where(eq(stripeEvents.type, 'checkout.session.completed'));
      expect(event?.processedAt).not.toBeNull();
      expect(await admin.getByRole('button', { name: 'Add payment method' }).count()).toBe(0);
      await admin.getByRole('button', { name: 'Manage billing' }).waitFor();
      await noLoading(admin);
      await capture(admin, 'billing-payment-method-added');
    });

    it('then accepts a workspace on the paid plan, and bills it', async () => {
      await admin.goto(url('/workspaces/new'));
      await heading(admin, 'Create workspace').waitFor();
      await admin.getByLabel('Workspace name').fill('production');
      await admin.getByRole('radiogroup', { name: 'Plan' }).getByRole('radio', { name: 'Standard' }).check();
      const created = admin.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/organizations\/[^/]+\/workspaces$/.test(r.url()),
      );
      await admin.getByRole('button', { name: 'Create workspace' }).click();
      expect((await created).status()).toBe(202);
      await heading(admin, 'production').waitFor();
      paidWsId = /\/workspaces\/([^/?]+)\?task=/.exec(admin.url())?.[1] ?? '';
      expect(paidWsId).toMatch(/^ws-/);

      // The billing worker adds it to the organization's subscription.
      await expect
        .poll(async () => (await billingOf(admin, orgId)).items.length, { timeout: 60_000 })
        .toBe(1);
      const [standard] = await platform().db.select().from(plans).where(eq(plans.id, 'standard'));
      const price = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' }).format(
        standard!.price / 100,
      );
      await admin.goto(url(`/orgs/${orgId}/billing`));
      await heading(admin, 'Billing').waitFor();
      const row = admin.getByRole('row').filter({ has: admin.getByRole('link', { name: 'production' }) });
      await row.getByRole('cell', { name: 'Standard' }).waitFor();
      expect(await row.textContent()).toContain(`${price} / month`);
      expect(await facts(admin, 'Subscription').textContent()).toBe('Active');
      await facts(admin, 'Amount').waitFor();
    });

    it('lists the invoices with links to Stripe’s page and PDF, a page at a time', async () => {
      const invoice = (n: number, status: string) => ({
        id: `in_e2e${String(n).padStart(4, '0')}`,
        number: `HXB-${String(n).padStart(4, '0')}`,
        status,
        currency: 'usd',
        amount_due: 2000,
        amount_paid: status === 'paid' ? 2000 : 0,
        period_start: Date.UTC(2026, n - 1, 1) / 1000,
        period_end: Date.UTC(2026, n, 1) / 1000,
        hosted_invoice_url: `https://invoice.stripe.com/i/acct_test/in_e2e${n}`,
        invoice_pdf: `https://pay.stripe.com/invoice/acct_test/in_e2e${n}/pdf`,
      });
      world!.list('/v1/invoices', [invoice(2, 'open'), invoice(1, 'paid')]);
      await admin.reload();
      await heading(admin, 'Billing').waitFor();
      const table = admin.getByRole('table', { name: 'Invoices' });
      await table.getByRole('rowheader', { name: 'HXB-0002' }).waitFor();
      expect(await table.getByRole('rowheader').allTextContents()).toEqual(['HXB-0002', 'HXB-0001']);
      const view = table.getByRole('link', { name: 'View invoice HXB-0001 (opens in a new tab)' });
      expect(await view.getAttribute('href')).toBe('https://invoice.stripe.com/i/acct_test/in_e2e1');
      expect(await view.getAttribute('target')).toBe('_blank');
      expect(await view.getAttribute('rel')).toBe('noopener');
      const pdf = table.getByRole('link', { name: 'PDF of invoice HXB-0001 (opens in a new tab)' });
      expect(await pdf.getAttribute('href')).toBe('https://pay.stripe.com/invoice/acct_test/in_e2e1/pdf');
      expect(await pdf.getAttribute('rel')).toBe('noopener');
      expect(await table.getByRole('row').filter({ hasText: 'HXB-0001' }).textContent()).toContain('$20.00');
      await noLoading(admin);
      await capture(admin, 'billing');

      world!.list(
        '/v1/invoices',
        Array.from({ length: 12 }, (_, i) => invoice(12 - i, 'paid')),
      );
      await admin.reload();
      await table.getByRole('rowheader', { name: 'HXB-0012' }).waitFor();
      expect(await table.getByRole('rowheader').count()).toBe(10);
      await admin.getByRole('button', { name: 'Load more invoices' }).click();
      await table.getByRole('rowheader', { name: 'HXB-0001' }).waitFor();
      expect(await table.getByRole('rowheader').count()).toBe(12);
      expect(await admin.getByRole('button', { name: 'Load more invoices' }).count()).toBe(0);
    });

    it('shows a suspended workspace with its reason and the way to Billing', async () => {
      // What the billing worker does past the grace period (shared/billing/dunning.ts), written directly: no
      // cluster here to scale down.
      expect(paidWsId, 'needs the paid workspace of an earlier test').not.toBe('');
      await platform()
        .db.update(workspaces)
        .set({ status: 'SUSPENDED', statusMessage: SUSPENDED_MESSAGE, suspendedAt: new Date() })
        .where(eq(workspaces.id, paidWsId));
      await admin.goto(url('/workspaces'));
      await heading(admin, 'Workspaces').waitFor();
      const row = admin.getByRole('row').filter({ has: admin.getByRole('link', { name: 'production' }) });
      await row.getByText('SUSPENDED', { exact: true }).waitFor();
      expect(await row.textContent()).toContain(SUSPENDED_MESSAGE);
      await noLoading(admin);
      await capture(admin, 'workspaces-suspended');
      await row.getByRole('link', { name: 'Go to Billing' }).click();
      await heading(admin, 'Billing').waitFor();
      expect(new URL(admin.url()).pathname).toBe(`/orgs/${orgId}/billing`);

      await admin.goto(url(`/workspaces/${paidWsId}`));
      await heading(admin, 'production').waitFor();
      await facts(admin, 'Status').getByRole('link', { name: 'Go to Billing' }).waitFor();
      await noLoading(admin);
      await capture(admin, 'workspace-suspended');
    });

    it('has no serious or critical accessibility violation on any screen visited, in light or dark', () => {
      expect(findings.join('\n\n')).toBe('');
    });
  });
});
