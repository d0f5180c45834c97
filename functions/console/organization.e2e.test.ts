import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { type Backbone, startEventBackbone } from '../../shared/events/backbone';
import { expectAccessible, expectFitsWidth, screenshot, useBrowser } from '../../shared/testing/chromium';
import { createCertificateAuthority } from '../../shared/testing/kube/pki';
import { acceptLink, waitForMail } from '../../shared/testing/mail';
import { usePlatform } from '../../shared/testing/platform';

/**
 * The organization screens as two people meet them, in Chromium: the platform behind an HTTPS public URL with its
 * own CA (no cluster: nothing here provisions), development sign-in, and events moved in process (the relay and
 * the dispatcher hand the invitation to the notifications worker, which writes an .eml file since there is no
 * SMTP server). Every screen visited is audited with axe and photographed into docs/console/ under
 * `HEXABASE_SCREENSHOTS=docs`.
 */
describe('organization screens, end to end in Chromium', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-org-e2e-'));
  let server: Server | undefined;
  let port = 0;
  let caPem = '';
  let handler: (req: never, res: never) => void = () => {};
  beforeAll(async () => {
    const ca = await createCertificateAuthority('hexabase-public-ca');
    const tls = await ca.issue({ cn: 'localhost', ips: ['127.0.0.1'] });
    caPem = ca.certPem;
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) =>
      handler(req as never, res as never),
    );
    await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => {
    server?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const url = (path: string) => `https://127.0.0.1:${port}${path}`;
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: url(''),
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_DATA_DIR: dataDir,
    // The in-process dispatcher: this file's events reach only this file's workers.
    NATS_URL: '',
  }));
  const chrome = useBrowser({ trust: () => [caPem] });

  describe('served as npm start serves it', () => {
    let backbone: Backbone | undefined;
    beforeAll(async () => {
      const local = createLocalServer(platform());
      handler = getRequestListener((req) => local.fetch(req)) as never;
      backbone = await startEventBackbone(platform(), { deliver: local.deliver, registry: local.registry });
    });
    afterAll(() => backbone?.stop());

    /** axe and a full-page screenshot in light and dark; findings are collected and reported by the last test. */
    const findings: string[] = [];
    const capture = async (page: Page, name: string, schemes: ('light' | 'dark')[] = ['light', 'dark']) => {
      for (const colorScheme of schemes) {
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

    const ada = { email: 'ada@example.com', name: 'Ada Lovelace' };
    const charles = 'charles@example.com';
    let a: Page;
    let b: Page;
    const memberRow = (page: Page, email: string) =>
      page
        .getByRole('table')
        .filter({ has: page.getByRole('columnheader', { name: 'Joined' }) })
        .getByRole('row')
        .filter({ hasText: email });
    const auditRows = (page: Page) => page.getByRole('table', { name: 'Audit log' }).getByRole('rowheader');

    it('lets an admin rename the organization and invite someone by email', async () => {
      a = await (await chrome.newContext()).newPage();
      await a.goto(url('/settings'));
      await heading(a, 'Sign in to Hexabase').waitFor();
      await a.getByRole('heading', { name: 'Development sign-in' }).waitFor();
      await a.getByLabel('Email').fill(ada.email);
      await a.getByLabel('Name').fill(ada.name);
      await a.getByRole('button', { name: 'Sign in' }).click();
      await heading(a, 'Organization settings').waitFor();
      await memberRow(a, ada.email).waitFor();

      await a.getByLabel('Organization name').fill('Analytical Engines');
      await a.getByRole('button', { name: 'Rename' }).click();
      await a.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
      await expect
        .poll(() => a.getByLabel('Organization', { exact: true }).locator('option:checked').textContent())
        .toBe('Analytical Engines');

      await a.getByLabel('Email address').fill(charles);
      await a.getByRole('button', { name: 'Invite' }).click();
      await a
        .getByRole('status')
        .filter({ hasText: `Invitation sent to ${charles}.` })
        .waitFor();
      await a
        .getByRole('table', { name: 'Pending invitations' })
        .getByRole('rowheader', { name: charles })
        .waitFor();
      await noLoading(a);
      await capture(a, 'organization-settings');
    });

    it('refuses to demote the last admin, showing the API’s reason', async () => {
      await memberRow(a, ada.email)
        .getByRole('combobox', { name: `Role of ${ada.name}` })
        .selectOption('member');
      const alert = a.getByRole('alert').filter({ hasText: /admin/i });
      await alert.waitFor();
      expect(await alert.textContent()).toMatch(/at least one admin/i);
      await expect.poll(() => memberRow(a, ada.email).getByRole('combobox').inputValue()).toBe('admin');
      await capture(a, 'organization-settings-last-admin');
    });

    it('lets the invited person follow the emailed link, sign in and accept on the organizations function’s page', async () => {
      const mail = await waitForMail(join(dataDir, 'mail'), (m) => m.to.includes(charles));
      const link = acceptLink(mail);
      expect(link.origin).toBe(url(''));

      b = await (await chrome.newContext()).newPage();
      await b.goto(link.href);
      await heading(b, 'Sign in to answer your invitation').waitFor();
      await capture(b, 'invitation-sign-in');
      await b.getByLabel('Email').fill(charles);
      await b.getByRole('button', { name: 'Continue' }).click();
      await heading(b, 'Join Analytical Engines?').waitFor();
      await capture(b, 'invitation');
      await b.getByRole('button', { name: 'Accept' }).click();
      await heading(b, 'You joined Analytical Engines').waitFor();
      await capture(b, 'invitation-accepted');
    });

    it('shows the new member to the admin, who changes their role', async () => {
      await a.reload();
      await heading(a, 'Organization settings').waitFor();
      const row = memberRow(a, charles);
      await row.waitFor();
      await a.getByText('No pending invitations.').waitFor();
      const role = row.getByRole('combobox', { name: /^Role of / });
      expect(await role.inputValue()).toBe('member');
      await role.selectOption('admin');
      await a.getByRole('status').filter({ hasText: 'is now an admin.' }).waitFor();
      await expect.poll(() => role.inputValue()).toBe('admin');
    });

    it('lists these actions in the audit log and filters them by action and by actor', async () => {
      const rows = auditRows(a);
      await rows.filter({ hasText: 'member.role_changed' }).waitFor();
      const actions = await rows.allTextContents();
      expect(actions).toEqual(
        expect.arrayContaining([
          'organization.renamed',
          'invitation.created',
          'invitation.accepted',
          'member.role_changed',
        ]),
      );

      await a.getByLabel('Action').fill('member.role_changed');
      await a.getByRole('button', { name: 'Apply filters' }).click();
      await expect.poll(() => rows.allTextContents()).toEqual(['member.role_changed']);
      await capture(a, 'audit-log-filtered');

      await a.getByLabel('Action').fill('');
      await a
        .getByLabel('Actor')
        // Signed in with an email only, the display name is the address's local part.
        .selectOption({ label: 'charles' });
      await a.getByRole('button', { name: 'Apply filters' }).click();
      await expect.poll(() => rows.allTextContents()).toEqual(['invitation.accepted']);

      await a.getByLabel('Action').fill('organization.deleted');
      await a.getByRole('button', { name: 'Apply filters' }).click();
      await a.getByText('No entries match these filters.').waitFor();
      await a.getByRole('button', { name: 'Clear filters' }).click();
      await rows.filter({ hasText: 'organization.created' }).waitFor();
    });

    it('creates a second organization from the switcher, and invites the same person there', async () => {
      await a.getByRole('link', { name: 'New organization' }).click();
      await heading(a, 'Create organization').waitFor();
      await a.getByLabel('Organization name').fill('Difference Engines');
      await capture(a, 'create-organization');
      await a.getByRole('button', { name: 'Create organization' }).click();
      await heading(a, 'Organization settings').waitFor();
      await expect
        .poll(() => a.getByLabel('Organization', { exact: true }).locator('option:checked').textContent())
        .toBe('Difference Engines');
      expect(await a.getByLabel('Organization', { exact: true }).locator('option').allTextContents()).toEqual(
        expect.arrayContaining(['Analytical Engines', 'Difference Engines']),
      );
      await a.getByLabel('Organization name').waitFor();
      expect(await a.getByLabel('Organization name').inputValue()).toBe('Difference Engines');
      await a.getByLabel('Email address').fill(charles);
      await a.getByRole('button', { name: 'Invite' }).click();
      await a
        .getByRole('status')
        .filter({ hasText: `Invitation sent to ${charles}.` })
        .waitFor();
    });

    it('shows the invited person their invitation in the console, which they accept, then switch to', async () => {
      const page = b;
      await page.goto(url('/organizations'));
      await heading(page, 'Organizations').waitFor();
      const invitations = page.getByRole('table', { name: 'Invitations for you' });
      await invitations.getByRole('rowheader', { name: 'Difference Engines' }).waitFor();
      await page
        .getByRole('table', { name: 'Your organizations' })
        .getByRole('rowheader', { name: 'Analytical Engines' })
        .waitFor();
      await capture(page, 'organizations');

      await page.getByRole('button', { name: 'Accept invitation to Difference Engines' }).click();
      await page
        .getByRole('status')
        .filter({ hasText: 'You joined Difference Engines as a member.' })
        .waitFor();
      await page.getByText(`No pending invitations for ${charles}.`).waitFor();
      await page
        .getByRole('table', { name: 'Your organizations' })
        .getByRole('rowheader', { name: 'Difference Engines' })
        .waitFor();

      const switcher = page.getByLabel('Organization', { exact: true });
      expect(await switcher.locator('option').allTextContents()).toEqual(
        expect.arrayContaining(['Analytical Engines', 'Difference Engines']),
      );
      await switcher.selectOption({ label: 'Difference Engines' });
      await heading(page, 'Workspaces').waitFor();
      await page.getByText('No workspaces in Difference Engines yet.').waitFor();
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Settings' }).click();
      await heading(page, 'Organization settings').waitFor();
      await page.getByText('(you are a member; admins change its settings)').waitFor();
      await memberRow(page, ada.email).waitFor();
      expect(await page.getByRole('heading', { name: 'Audit log' }).count()).toBe(0);
      await noLoading(page);
      await capture(page, 'organization-settings-member');
    });

    it('says that this deployment, without Stripe, charges nothing and offers every plan', async () => {
      await a.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Billing' }).click();
      await heading(a, 'Billing').waitFor();
      expect(new URL(a.url()).pathname).toMatch(/^\/orgs\/org-[^/]+\/billing$/);
      await a.getByRole('heading', { name: 'No charges on this deployment' }).waitFor();
      await a.getByText('every plan is available').waitFor();
      expect(await a.getByRole('button', { name: 'Add payment method' }).count()).toBe(0);
    });

    it('has no serious or critical accessibility violation on any screen visited, in light or dark', () => {
      expect(findings.join('\n\n')).toBe('');
    });
  });
});
