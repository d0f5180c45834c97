import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Result } from 'axe-core';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
} from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

/** Debian's Chromium, installed by scripts/ensure-services.sh (playwright-core downloads no browser). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * The network here is closed: without these, Chromium opens background connections (updates, sync, field trials,
 * QUIC probes) that are refused many at a time. Playwright adds a fresh --user-data-dir per launch.
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * Where `screenshot` writes: docs/console when the docs' pictures are being refreshed (`npm run screenshots`),
 * else a temporary folder, so that `npm test` leaves the working tree as it found it.
 */
export const SCREENSHOTS =
  process.env.HEXABASE_SCREENSHOTS === 'docs'
    ? join(import.meta.dirname, '../../docs/console')
    : join(tmpdir(), 'hexabase-screenshots');

/**
 * Chromium trusting exactly the given CAs (PEM), as a user's machine trusts an operator's private CA. On Linux,
 * Chromium reads trust anchors from the NSS database in $HOME/.pki/nssdb; each launch gets its own HOME with a
 * database holding only these CAs (certutil, from libnss3-tools), so names, expiry and chains are verified for real
 * and nothing is trusted blindly (no ignoreHTTPSErrors).
 */
export async function launchChromium(opts: { trust?: string[] } = {}) {
  const home = mkdtempSync(join(tmpdir(), 'hexabase-chromium-'));
  const nssdb = `sql:${join(home, '.pki/nssdb')}`;
  mkdirSync(join(home, '.pki/nssdb'), { recursive: true });
  execFileSync('certutil', ['-d', nssdb, '-N', '--empty-password']);
  for (const [i, pem] of (opts.trust ?? []).entries()) {
    const file = join(home, `ca-${i}.pem`);
    writeFileSync(file, pem);
    execFileSync('certutil', ['-d', nssdb, '-A', '-n', `hexabase-test-ca-${i}`, '-t', 'C,,', '-i', file]);
  }
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: CHROMIUM_ARGS,
    env: { ...process.env, HOME: home },
  });
  return {
    browser,
    close: async () => {
      await browser.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

export type ContextOptions = BrowserContextOptions & {
  /** prefers-color-scheme of every page; `screenshot` names its file after it. */
  colorScheme?: 'light' | 'dark';
  /** Viewport width in CSS pixels (375: a phone); height 800 unless `viewport` says otherwise. */
  width?: number;
};

/**
 * One Chromium for the file (beforeAll/afterAll), trusting the CAs `trust` returns once earlier beforeAll hooks
 * ran (e.g. useProvisioning's public URL CA: `trust: () => [p.caPem()]`). `newContext` gives a fresh profile
 * (cookies, storage) per person; every context and the browser are closed at the end.
 */
export function useBrowser(opts: { trust?: () => string[] } = {}) {
  let launched: Awaited<ReturnType<typeof launchChromium>> | undefined;
  const contexts: BrowserContext[] = [];
  beforeAll(async () => {
    launched = await launchChromium({ trust: opts.trust?.() ?? [] });
  });
  afterAll(async () => {
    for (const c of contexts.splice(0)) await c.close().catch(() => {});
    await launched?.close();
  });
  const browser = (): Browser => {
    if (!launched) throw new Error('useBrowser() is only available inside tests');
    return launched.browser;
  };
  const newContext = async ({ width, colorScheme = 'light', ...rest }: ContextOptions = {}) => {
    const context = await browser().newContext({
      colorScheme,
      viewport: { width: width ?? 1280, height: 800 },
      acceptDownloads: true,
      locale: 'en-US',
      timezoneId: 'UTC',
      ...rest,
    });
    // A safety net against hangs, as vitest's testTimeout: waits end on page states, never on a time budget.
    context.setDefaultTimeout(120_000);
    contexts.push(context);
    return context;
  };
  return { browser, newContext };
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export type AxeViolation = Pick<Result, 'id' | 'impact' | 'help' | 'helpUrl'> & {
  nodes: { target: string; html: string; summary: string }[];
};

/**
 * Runs axe-core (WCAG 2.0/2.1/2.2 A and AA rules plus best practices) in the page and returns every violation.
 *
 * axe is injected with page.evaluate, i.e. the DevTools protocol's Runtime.evaluate, which a page's
 * Content-Security-Policy does not govern: a <script> tag would be refused by script-src 'self', and a context with
 * bypassCSP would stop enforcing the CSP for everything the page does in that context. This way the pages under
 * audit run with their real CSP in every test, and a CSP violation still breaks them as it would for a user.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  const loaded = await page.evaluate(() => 'axe' in globalThis);
  if (!loaded) await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    // biome-ignore lint/suspicious/noExplicitAny: the page's globals (axe, document); tsconfig has no DOM types
    const page = globalThis as any;
    const axe = page.axe as typeof import('axe-core');
    const { violations } = await axe.run(page.document, {
      resultTypes: ['violations'],
      runOnly: {
        type: 'tag',
        values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'],
      },
    });
    return violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      helpUrl: v.helpUrl,
      nodes: v.nodes.map((n) => ({
        target: n.target.join(' '),
        html: n.html.slice(0, 200),
        summary: n.failureSummary ?? '',
      })),
    }));
  });
}

/** One line per violation and node: what a failing audit prints. */
export function formatViolations(violations: AxeViolation[]): string {
  return violations
    .map(
      (v) =>
        `[${v.impact}] ${v.id}: ${v.help} (${v.helpUrl})\n` +
        v.nodes
          .map((n) => `    at ${n.target}: ${n.html}\n      ${n.summary.replace(/\n/g, '\n      ')}`)
          .join('\n'),
    )
    .join('\n');
}

/** Fails listing every violation of impact serious or critical on the page as it is now (`screenName` names it). */
export async function expectAccessible(page: Page, screenName: string): Promise<AxeViolation[]> {
  const all = await axeViolations(page);
  const blocking = all.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length > 0)
    throw new Error(
      `${screenName} (${page.url()}): ${blocking.length} serious or critical accessibility violation(s)\n` +
        formatViolations(blocking),
    );
  return all;
}

/**
 * A full-page PNG named after the page's color scheme: `<dir>/<name>-<light|dark>.png`, by default in
 * SCREENSHOTS. Animations are stopped and the caret hidden, so
 * two runs of an unchanged screen give the same picture.
 */
export async function screenshot(page: Page, name: string, dir = SCREENSHOTS): Promise<string> {
  const dark = await page.evaluate<boolean>("matchMedia('(prefers-color-scheme: dark)').matches");
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}-${dark ? 'dark' : 'light'}.png`);
  await page.screenshot({ path, fullPage: true, animations: 'disabled', caret: 'hide' });
  return path;
}

/**
 * Lays the page out `width` px wide (a phone) and fails when it scrolls sideways; the viewport is restored after.
 * Tables inside their own scrolling region do not count: only the document itself must fit.
 */
export async function expectFitsWidth(page: Page, screenName: string, width = 375): Promise<void> {
  const before = page.viewportSize();
  await page.setViewportSize({ width, height: before?.height ?? 800 });
  try {
    const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
    if (scrollWidth > width)
      throw new Error(`${screenName} (${page.url()}): ${scrollWidth} px wide at a ${width} px viewport`);
  } finally {
    if (before) await page.setViewportSize(before);
  }
}
