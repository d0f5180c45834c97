import type { Page, Request } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { hostCluster } from '../../shared/provisioner/host';
import { expectAccessible, expectFitsWidth, screenshot, useBrowser } from '../../shared/testing/chromium';
import { json } from '../../shared/testing/http';
import { kubectl } from '../../shared/testing/kube/kubectl';
import { convergeWorkspace, useProvisioning } from '../../shared/testing/provisioning';
import { type SampleOutcome, type SamplerDeps, sampleWorkspace } from '../../shared/usage/sampler';

const MINUTES = 60_000;

/**
 * A workspace's usage as its admin watches it, in Chromium: the platform behind its HTTPS public URL, the
 * provisioner against the run's host cluster, and the real sampler reading the vCluster's ResourceQuotas, called
 * by the test instead of the usage tick (no event backbone runs here, so every sample is one the test took). The
 * page is opened once and never reloaded: what it shows after each sample came over the usage stream.
 */
describe("a workspace's usage in the console, live, end to end in Chromium", () => {
  const p = useProvisioning(() => ({ HEXABASE_DEV_LOGIN: 'true' }));
  const chrome = useBrowser({ trust: () => [p.caPem()] });

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

  let page: Page;
  let wsId = '';
  let namespace = '';
  let adminKubeconfig = '';
  const streams: Request[] = [];
  const isStream = (r: Request) => r.resourceType() === 'eventsource' && r.url().endsWith(`/${wsId}/usage`);

  const sampler = (): SamplerDeps => ({
    db: p.platform().db,
    host: p.deps().host,
    log: p.platform().log,
    intervalSeconds: p.platform().env.HEXABASE_USAGE_INTERVAL_SECONDS,
  });
  /**
   * Samples until the sampler answers `want`: a sample younger than half an interval is not taken again
   * (`busy`), and a vCluster being stopped may still answer once.
   */
  const sampleUntil = (want: SampleOutcome) =>
    expect.poll(() => sampleWorkspace(sampler(), wsId), { timeout: 3 * MINUTES, interval: 1000 }).toBe(want);
  const meter = (name: string) =>
    page.getByRole('listitem').filter({ has: page.getByRole('meter', { name }) });
  const host = (...args: string[]) =>
    kubectl(p.kube.kubectl, args, { kubeconfig: p.kube.hostKubeconfigPath });

  it('signs in, then creates a workspace and a project through the API, provisioned on the host cluster', {
    timeout: 20 * MINUTES,
  }, async () => {
    page = await (await chrome.newContext()).newPage();
    page.on('request', (r) => {
      if (isStream(r)) streams.push(r);
    });
    await page.goto(`${p.publicUrl()}/workspaces`);
    await page.getByRole('heading', { name: 'Development sign-in' }).waitFor();
    await page.getByLabel('Email').fill('grace@example.com');
    await page.getByLabel('Name').fill('Grace Hopper');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Workspaces' }).waitFor();

    // The session's access token outlives no long convergence: a personal access token does the API calls.
    const access = (await page.context().cookies()).find((c) => c.name === 'hxb_at')?.value ?? '';
    const created = await p.api(access, '/auth/tokens', {
      method: 'POST',
      body: JSON.stringify({ name: 'usage-e2e' }),
    });
    expect(created.status).toBe(201);
    const pat: string = (await json(created)).token;
    const me = await json(await p.api(pat, '/auth/me'));
    const orgId = me.organizations[0].id as string;

    const ws = await p.api(pat, `/api/v1/organizations/${orgId}/workspaces`, {
      method: 'POST',
      body: JSON.stringify({ name: 'metered', planId: 'free' }),
    });
    expect(ws.status).toBe(202);
    wsId = (await json(ws)).workspaceId;
    expect(await convergeWorkspace(p.deps(), wsId, 15 * MINUTES)).toBe('running');
    const project = await json(
      await p.api(pat, `/api/v1/workspaces/${wsId}/projects`, {
        method: 'POST',
        body: JSON.stringify({ name: 'web' }),
      }),
    );
    namespace = project.namespace;
    expect(await convergeWorkspace(p.deps(), wsId, 5 * MINUTES)).toBe('running');

    const secret = await hostCluster(p.platform().env)!.get<{ data: { config: string } }>({
      kind: 'Secret',
      name: 'vc-vcluster',
      namespace: `hxb-${wsId}`,
    });
    adminKubeconfig = Buffer.from(secret!.data.config, 'base64').toString();
  });

  it('shows "no sample yet", then each sample as it is taken, without a reload: the pod and its CPU request', {
    timeout: 10 * MINUTES,
  }, async () => {
    expect(adminKubeconfig, 'needs the workspace of the previous test').not.toBe('');
    await page.goto(`${p.publicUrl()}/workspaces/${wsId}/usage`);
    await page.getByRole('heading', { level: 2, name: 'Usage', exact: true }).waitFor();
    await page.getByText('No sample yet.').waitFor();
    expect(
      await page
        .getByRole('navigation', { name: 'Workspace' })
        .getByRole('link', { name: 'Usage' })
        .getAttribute('aria-current'),
    ).toBe('page');
    await capture(page, 'workspace-usage-no-sample');
    // Survives only as long as the document: a reload would drop it.
    await page.evaluate('window.__sameDocument = true');

    // The first sample: the project's quota, nothing used yet.
    await sampleUntil('sampled');
    await meter('Pods').getByText('0 of 20').waitFor();
    await meter('CPU requests').getByText('0 of 2 cores').waitFor();
    await page.getByText(/^Live\. Last sample/).waitFor();

    // A pod with requests in the project's namespace, created by kubectl inside the vCluster; the quota counts
    // it at admission. Retried while the namespace's default service account does not exist yet.
    const pod = stringify({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'web-1', namespace },
      spec: {
        containers: [
          {
            name: 'web',
            image: 'nginx',
            resources: {
              requests: { cpu: '1800m', memory: '64Mi' },
              limits: { cpu: '2', memory: '128Mi' },
            },
          },
        ],
      },
    });
    await expect
      .poll(async () => (await p.applyWith(adminKubeconfig, pod)).code, {
        timeout: 2 * MINUTES,
        interval: 1000,
      })
      .toBe(0);
    await expect
      .poll(
        async () =>
          (
            await p.kubectlWith(
              adminKubeconfig,
              'get',
              'resourcequota',
              'hexabase-quota',
              '-n',
              namespace,
              '-o',
              'jsonpath={.status.used.pods}|{.status.used.requests\\.cpu}',
            )
          ).stdout,
        { timeout: 2 * MINUTES, interval: 1000 },
      )
      .toBe('1|1800m');

    // The chart is read again for the new sample.
    const chartRead = page.waitForResponse(
      (r) => r.url().includes(`/workspaces/${wsId}/usage?`) && r.url().includes('range=24h'),
    );
    await sampleUntil('sampled');
    await meter('Pods').getByText('1 of 20').waitFor();
    await meter('CPU requests').getByText('1.8 of 2 cores').waitFor();
    await meter('CPU requests').getByText('Near the quota').waitFor(); // 90 %: the warning, in words too
    await meter('Memory requests').getByText('64 MiB of 4 GiB').waitFor();
    await meter('Load balancers').getByText('none allowed').waitFor(); // the free plan's 0
    await meter('CPU limits').getByText('2 of 4 cores').waitFor();
    expect(await page.getByRole('meter', { name: 'CPU requests' }).getAttribute('aria-valuetext')).toBe(
      '1.8 of 2 cores (90%)',
    );
    const row = page.getByRole('row').filter({ has: page.getByRole('rowheader', { name: 'web' }) });
    await row.getByRole('cell', { name: '1 of 20 (5%)' }).waitFor();
    await row.getByRole('cell', { name: '1.8 of 2 cores (90%) Near the quota' }).waitFor();
    expect((await chartRead).status()).toBe(200);
    const pods = page.getByRole('img', { name: 'Pods over the last 24 hours' });
    await pods.waitFor();
    await expect.poll(() => pods.locator('desc').textContent()).toMatch(/quota 20\./);
    expect(await pods.locator('polyline.chart-used').count()).toBeGreaterThan(0);

    // The charts' numbers as a table, for those who cannot see them.
    await page.getByText('The last 24 hours as a table').click();
    const table = page.getByRole('table', { name: 'Usage over the last 24 hours' });
    await table.getByRole('columnheader', { name: 'Pods' }).waitFor();
    expect(await table.getByRole('row').count()).toBeGreaterThan(1);

    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    expect(streams).toHaveLength(1); // one stream, never reopened
    await capture(page, 'workspace-usage');
  });

  it('says the numbers are stale, and why, once the vCluster stops answering; the stream closes on leaving', {
    timeout: 10 * MINUTES,
  }, async () => {
    expect(streams, 'needs the page of the previous test').toHaveLength(1);
    // Stopped as suspension stops it: the release's StatefulSet scaled to zero.
    const stopped = await host(
      'patch',
      'helmrelease',
      'vcluster',
      '-n',
      `hxb-${wsId}`,
      '--type',
      'merge',
      '-p',
      JSON.stringify({
        spec: { values: { controlPlane: { statefulSet: { highAvailability: { replicas: 0 } } } } },
      }),
    );
    expect(stopped.code, stopped.stderr).toBe(0);
    await sampleUntil('failed');

    // No sample is stored, so nothing wakes the stream: it reads again within one interval and sends the change.
    const notice = page.locator('.usage-stale');
    await notice.waitFor({ timeout: 2 * MINUTES });
    await expect
      .poll(() => notice.textContent(), { timeout: 2 * MINUTES })
      .toMatch(/^Stale: The vCluster (did not answer|is not ready)\./);
    await page.getByRole('meter', { name: 'Pods (not current)' }).waitFor();
    await meter('Pods').getByText('1 of 20').waitFor(); // the last numbers, marked as such
    expect(await page.getByText(/^Live\./).count()).toBe(0);
    expect(await page.evaluate('window.__sameDocument')).toBe(true);
    await capture(page, 'workspace-usage-stale');

    // Leaving the screen closes the stream (the request ends) without leaving the page.
    let ended = false;
    const done = (r: Request) => {
      if (isStream(r)) ended = true;
    };
    page.on('requestfailed', done);
    page.on('requestfinished', done);
    await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Overview' }).click();
    await page.getByRole('heading', { level: 2, name: 'Overview' }).waitFor();
    await expect.poll(() => ended, { timeout: MINUTES }).toBe(true);
    expect(streams).toHaveLength(1);
  });

  it('has no serious or critical accessibility violation on any screen visited, in light or dark', () => {
    expect(findings.join('\n\n')).toBe('');
  });
});
