import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { type Backbone, startEventBackbone } from '../../shared/events/backbone';
import { expectAccessible, expectFitsWidth, screenshot, useBrowser } from '../../shared/testing/chromium';
import { useProvisioning } from '../../shared/testing/provisioning';

const MINUTES = 60_000;

/**
 * The console as a person meets it, in Chromium: the whole platform behind its HTTPS public URL (the browser
 * trusts that URL's CA, as a user's machine trusts an operator's CA), events moved as `npm start` moves them, the
 * provisioner against the run's host cluster. Every screen visited is audited with axe and photographed in light
 * and dark into docs/console/, so a run refreshes the docs' screenshots.
 */
describe('the console, end to end in Chromium', () => {
  const p = useProvisioning(() => ({ HEXABASE_DEV_LOGIN: 'true' }));
  // The outbox relay and the dispatcher deliver to the worker functions in process (the provisioner reconciles
  // for real, retrying on requeue as the dispatcher does): the run's NATS is shared by test files, whose durable
  // consumers would take each other's events.
  let backbone: Backbone | undefined;
  beforeAll(async () => {
    const workers = createLocalServer(p.platform());
    backbone = await startEventBackbone(p.platform(), { deliver: workers.deliver });
  });
  afterAll(() => backbone?.stop());
  const chrome = useBrowser({ trust: () => [p.caPem()] });

  /**
   * axe, then a full-page screenshot, of the screen as it is now: in light, then in dark, then light again. An
   * audit's failure is collected rather than thrown, so the flow goes on and one run lists every screen's
   * violations; the last test fails with all of them.
   */
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

  /** Development sign-in from whatever URL: the sign-in screen shows in its place and comes back to it. */
  const signIn = async (page: Page, url: string, who: { email: string; name: string }, shot?: string) => {
    await page.goto(`${p.publicUrl()}${url}`);
    await heading(page, 'Sign in to Hexabase').waitFor();
    await page.getByRole('heading', { name: 'Development sign-in' }).waitFor(); // providers loaded
    await page.getByLabel('Email').fill(who.email);
    await page.getByLabel('Name').fill(who.name);
    if (shot) await capture(page, shot);
    await page.getByRole('button', { name: 'Sign in' }).click();
  };

  let owner: Page;
  let wsId = '';
  let kubeconfig = '';
  const wsName = 'demo';

  it('signs in with development sign-in and shows the empty workspaces of the new organization', async () => {
    owner = await (await chrome.newContext()).newPage();
    await signIn(owner, '/', { email: 'ada@example.com', name: 'Ada Lovelace' }, 'sign-in');
    await heading(owner, 'Workspaces').waitFor();
    expect(new URL(owner.url()).pathname).toBe('/workspaces');
    await owner.getByText(/^No workspaces in .+ yet\./).waitFor();
    expect(await owner.title()).toBe('Workspaces · Hexabase');
    await capture(owner, 'workspaces-empty');
  });

  it('creates a workspace and shows it reach RUNNING, provisioned on the local cluster', {
    timeout: 20 * MINUTES,
  }, async () => {
    await owner.getByRole('link', { name: 'Create workspace' }).click();
    await heading(owner, 'Create workspace').waitFor();
    await owner.getByLabel('Workspace name').fill(wsName);
    await owner.getByRole('radiogroup', { name: 'Plan' }).getByRole('radio', { name: 'Standard' }).check();
    await capture(owner, 'create-workspace');

    const created = owner.waitForResponse(
      (r) => r.request().method() === 'POST' && /\/api\/v1\/organizations\/[^/]+\/workspaces$/.test(r.url()),
    );
    await owner.getByRole('button', { name: 'Create workspace' }).click();
    expect((await created).status()).toBe(202);
    await heading(owner, wsName).waitFor();
    wsId = /\/workspaces\/([^/?]+)\?task=/.exec(owner.url())?.[1] ?? '';
    expect(wsId).toMatch(/^ws-/);
    await capture(owner, 'workspace-creating');

    // The page's own live status: the task stream, and the workspace polled while it changes. The machine is
    // slow and shared: the wait is for the text, with a safety net of minutes.
    const progress = owner.getByRole('status').filter({ hasText: 'Creating the workspace:' });
    await progress.filter({ hasText: /: (succeeded|failed)/ }).waitFor({ timeout: 15 * MINUTES });
    await expect.poll(() => progress.textContent()).toMatch(/Creating the workspace: succeeded/);
    await owner.getByText('RUNNING', { exact: true }).waitFor({ timeout: 5 * MINUTES });
    await owner.getByRole('table').getByRole('rowheader', { name: 'Ready', exact: true }).waitFor();
    await expect
      .poll(() => owner.getByRole('progressbar', { name: 'Task progress' }).getAttribute('value'))
      .toBe('100');
    await capture(owner, 'workspace-running');

    await owner.getByRole('link', { name: 'All workspaces' }).click();
    await heading(owner, 'Workspaces').waitFor();
    const row = owner.getByRole('row').filter({ has: owner.getByRole('link', { name: wsName }) });
    await row.getByText('RUNNING', { exact: true }).waitFor();
    await capture(owner, 'workspaces');
  });

  it('downloads a kubeconfig that the real kubectl uses against the workspace', async () => {
    expect(wsId, 'needs the workspace of the previous test').not.toBe('');
    await owner.goto(`${p.publicUrl()}/workspaces/${wsId}`);
    await owner.getByText('RUNNING', { exact: true }).waitFor();
    await owner.getByRole('radio', { name: 'Embedded token (expires in an hour)' }).check();
    const [download] = await Promise.all([
      owner.waitForEvent('download'),
      owner.getByRole('button', { name: 'Download kubeconfig' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`${wsId}.kubeconfig`);
    kubeconfig = readFileSync((await download.path())!, 'utf8');
    expect(kubeconfig).not.toContain('client-key-data'); // never the admin credential

    const who = await p.kubectlWith(
      kubeconfig,
      'auth',
      'whoami',
      '-o',
      'jsonpath={.status.userInfo.username}',
    );
    expect(who.code, who.stderr).toBe(0);
    expect(who.stdout).toMatch(/^hexabase:usr-/);
    const created = await p.kubectlWith(kubeconfig, 'create', 'namespace', 'from-the-console');
    expect(created.code, created.stderr).toBe(0);
    const listed = await p.kubectlWith(kubeconfig, 'get', 'namespaces', '-o', 'name');
    expect(listed.stdout).toContain('namespace/from-the-console');
  });

  it('builds groups, nested projects, a custom role and an inherited assignment; kubectl sees the namespaces', {
    timeout: 10 * MINUTES,
  }, async () => {
    expect(kubeconfig, 'needs the kubeconfig of the previous test').not.toBe('');
    const tab = (name: string) =>
      owner.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name });
    const settled = () =>
      expect
        .poll(() =>
          owner
            .getByRole('status')
            .filter({ hasText: /^Loading/ })
            .count(),
        )
        .toBe(0);

    await tab('Members').click();
    await owner.getByRole('heading', { name: 'Members', level: 2 }).waitFor();
    expect(await tab('Members').getAttribute('aria-current')).toBe('page');
    await owner.getByRole('rowheader', { name: 'Ada Lovelace' }).waitFor();
    await settled();
    await capture(owner, 'workspace-members');

    await tab('Groups').click();
    await owner.getByLabel('New group name').fill('developers');
    await owner.getByRole('button', { name: 'Create group' }).click();
    await owner.getByRole('button', { name: 'developers', exact: true }).click();
    await owner.getByRole('heading', { name: 'Group developers' }).waitFor();
    await settled();
    await capture(owner, 'workspace-groups');

    await tab('Projects').click();
    await owner.getByText('No projects yet.').waitFor();
    const createProject = async (name: string, parent?: string) => {
      await owner.getByLabel('Project name').fill(name);
      if (parent) await owner.getByLabel('Parent project').selectOption({ label: parent });
      const created = owner.waitForResponse(
        (r) => r.request().method() === 'POST' && /\/workspaces\/[^/]+\/projects$/.test(r.url()),
      );
      await owner.getByRole('button', { name: 'Create project' }).click();
      const answer = await created;
      expect(answer.status()).toBe(201);
      await owner.getByRole('link', { name, exact: true }).waitFor();
      return ((await answer.json()) as { namespace: string }).namespace;
    };
    const parentNs = await createProject('frontend');
    const childNs = await createProject('frontend-web', 'frontend');
    // The child is listed inside its parent's item: the tree is nested lists.
    await owner
      .getByRole('listitem')
      .filter({ has: owner.getByRole('link', { name: 'frontend', exact: true }) })
      .getByRole('link', { name: 'frontend-web' })
      .waitFor();
    await capture(owner, 'workspace-projects');

    await owner.getByRole('link', { name: 'frontend', exact: true }).click();
    await owner.getByRole('heading', { name: 'Project frontend' }).waitFor();
    await owner.getByRole('button', { name: 'New role' }).click();
    await owner.getByLabel('Role name').fill('pod-reader');
    await owner.getByLabel('Resources', { exact: true }).fill('pods');
    await owner.getByRole('checkbox', { name: 'get', exact: true }).check();
    await owner.getByRole('checkbox', { name: 'list', exact: true }).check();
    await capture(owner, 'project-role-editor');
    await owner.getByRole('button', { name: 'Create role' }).click();
    await owner.getByRole('rowheader', { name: 'pod-reader' }).waitFor();
    await owner.getByLabel('Group to assign').selectOption({ label: 'developers' });
    await owner.getByLabel('Role to assign').selectOption({ label: 'pod-reader' });
    await owner.getByRole('button', { name: 'Assign role' }).click();
    await owner.getByRole('button', { name: 'Unassign pod-reader from developers' }).waitFor();
    await settled();
    await capture(owner, 'project');

    await owner.getByRole('link', { name: 'All projects' }).click();
    await owner.getByRole('link', { name: 'frontend-web' }).click();
    await owner.getByRole('heading', { name: 'Project frontend-web' }).waitFor();
    const inherited = owner
      .getByRole('row')
      .filter({ has: owner.getByRole('rowheader', { name: 'developers' }) });
    await inherited.getByRole('cell', { name: 'pod-reader' }).waitFor();
    await inherited.getByText('Inherited from').waitFor();
    await inherited.getByRole('link', { name: 'frontend' }).waitFor();
    expect(await inherited.getByRole('button').count()).toBe(0); // unassigned where it was made
    await settled();
    await capture(owner, 'project-inherited');

    // The provisioner syncs the projects' namespaces into the workspace: the admin's kubectl sees them.
    await expect
      .poll(async () => (await p.kubectlWith(kubeconfig, 'get', 'namespaces', '-o', 'name')).stdout, {
        timeout: 5 * MINUTES,
        interval: 2000,
      })
      .toSatisfy((out: string) => {
        const names = out.split('\n');
        return names.includes(`namespace/${parentNs}`) && names.includes(`namespace/${childNs}`);
      });
    await owner.getByRole('link', { name: 'All projects' }).click();
    await expect
      .poll(() => owner.getByText('PENDING', { exact: true }).count(), { timeout: 5 * MINUTES })
      .toBe(0);
  });

  it('visits the other screens of the signed-in console', async () => {
    for (const [link, title, name] of [
      ['Settings', 'Organization settings', 'settings'],
      ['Tokens', 'Personal access tokens', 'tokens'],
      ['Billing', 'Billing', 'billing-off'],
      ['Usage (later)', 'Usage', 'usage'],
    ] as const) {
      await owner.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: link }).click();
      await heading(owner, title).waitFor();
      await expect
        .poll(() =>
          owner
            .getByRole('status')
            .filter({ hasText: /^Loading/ })
            .count(),
        )
        .toBe(0);
      await capture(owner, name);
    }
  });

  it('answers a stranger opening the workspace URL with "Not found", on a phone', async () => {
    expect(wsId, 'needs the workspace of an earlier test').not.toBe('');
    const stranger = await (await chrome.newContext({ width: 375 })).newPage();
    const lookups: number[] = [];
    stranger.on('response', (r) => {
      if (r.url().includes(`/workspaces/${wsId}`) && r.url().includes('/api/')) lookups.push(r.status());
    });
    // Signed out, the workspace URL shows sign-in, which comes back to it.
    await signIn(
      stranger,
      `/workspaces/${wsId}`,
      { email: 'mallory@example.com', name: 'Mallory' },
      'sign-in-phone',
    );
    await heading(stranger, 'Not found').waitFor();
    expect(new URL(stranger.url()).pathname).toBe(`/workspaces/${wsId}`);
    await stranger.getByText('There is nothing here, or you do not have access to it.').waitFor();
    expect(lookups.length).toBeGreaterThan(0);
    expect(lookups.every((s) => s === 404)).toBe(true);
    expect(await stranger.getByText(wsName, { exact: true }).count()).toBe(0);
    await capture(stranger, 'not-found-phone');
  });

  it('deletes the workspace after its name is typed, and returns to the list', {
    timeout: 10 * MINUTES,
  }, async () => {
    expect(wsId, 'needs the workspace of an earlier test').not.toBe('');
    await owner.goto(`${p.publicUrl()}/workspaces/${wsId}`);
    await owner.getByText('RUNNING', { exact: true }).waitFor();
    await owner.getByRole('button', { name: 'Delete workspace' }).click();
    await owner.getByLabel(`Type ${wsName} to confirm`).fill(wsName);
    await capture(owner, 'delete-workspace');
    await owner.getByRole('button', { name: 'Delete permanently' }).click();
    await heading(owner, 'Workspaces').waitFor({ timeout: 5 * MINUTES });
    await owner.getByText(/^No workspaces in .+ yet\./).waitFor({ timeout: 5 * MINUTES });
  });

  it('has no serious or critical accessibility violation on any screen visited, in light or dark', () => {
    expect(findings.join('\n\n')).toBe('');
  });
});
