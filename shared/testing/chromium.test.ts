import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  axeViolations,
  expectAccessible,
  formatViolations,
  launchChromium,
  screenshot,
  useBrowser,
} from './chromium';
import { useProvisioning } from './provisioning';

/** Width and height of a PNG, from its IHDR chunk (after checking the signature). */
function pngSize(file: string) {
  const png = readFileSync(file);
  expect(png.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
  return { width: png.readUInt32BE(16), height: png.readUInt32BE(20) };
}

// The harness itself, on a page the platform already serves (the API reference, with its strict CSP), through the
// HTTPS public URL of useProvisioning: no console needed.
describe('Chromium for end-to-end tests', () => {
  const p = useProvisioning();
  const chrome = useBrowser({ trust: () => [p.caPem()] });
  const shots = mkdtempSync(join(tmpdir(), 'hexabase-shots-'));
  const openReference = async (opts: Parameters<typeof chrome.newContext>[0] = {}) => {
    const page = await (await chrome.newContext(opts)).newPage();
    const refused: string[] = [];
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) refused.push(m.text());
    });
    const res = await page.goto(`${p.publicUrl()}/api/v1/docs`);
    expect(res?.status()).toBe(200);
    // Rendered by the page's own script from /api/v1/openapi.json: the document arrived.
    await page.getByRole('heading', { name: 'Components', level: 2 }).waitFor();
    return { page, res: res!, refused };
  };

  it('opens the API reference over HTTPS trusting the CA, with the CSP enforced, and audits it with axe', async () => {
    const { page, res, refused } = await openReference();
    expect(new URL(page.url()).protocol).toBe('https:');
    expect(res.headers()['content-security-policy']).toMatch(/script-src 'sha256-[^ ;]+';/);
    expect(refused).toEqual([]); // the page's own hashed script and style were allowed

    // The CSP is in force in this context: an inline script is refused…
    await page.addScriptTag({ content: 'globalThis.inlineRan = true' }).catch(() => {});
    expect(await page.evaluate('globalThis.inlineRan === true')).toBe(false);
    expect(refused.join('\n')).toMatch(/inline script violates .*Content Security Policy.*blocked/);
    // …and axe runs all the same (injected through the DevTools protocol, which the CSP does not govern).
    const violations = await axeViolations(page);
    expect(await page.evaluate('typeof axe.run')).toBe('function');
    console.info(
      `axe on the API reference: ${violations.length} violation(s)\n${formatViolations(violations) || '(none)'}`,
    );
    await expectAccessible(page, 'API reference');

    const file = await screenshot(page, 'api-reference', shots);
    expect(file).toBe(join(shots, 'api-reference-light.png'));
    const size = pngSize(file);
    expect(size.width).toBe(1280);
    expect(size.height).toBeGreaterThan(800); // full page, not the viewport
  });

  it('gives dark, 375 px wide contexts and names their screenshots -dark', async () => {
    const { page } = await openReference({ colorScheme: 'dark', width: 375 });
    expect(await page.evaluate('innerWidth')).toBe(375);
    expect(await page.evaluate("matchMedia('(prefers-color-scheme: dark)').matches")).toBe(true);
    // A known finding, reported rather than fixed here (functions/docs): at 375 px the Components <pre> scrolls
    // sideways and cannot be reached by keyboard. Once fixed, this becomes expectAccessible(page, …).
    const narrow = await axeViolations(page);
    console.info(`axe on the API reference at 375 px, dark:\n${formatViolations(narrow) || '(none)'}`);
    const blocking = narrow.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(blocking.map((v) => v.id)).toEqual(['scrollable-region-focusable']);
    const file = await screenshot(page, 'api-reference', shots);
    expect(file).toBe(join(shots, 'api-reference-dark.png'));
    // Full page means the whole document: wider than the viewport when the page overflows sideways.
    const scrollWidth = (await page.evaluate('document.documentElement.scrollWidth')) as number;
    expect(pngSize(file).width).toBe(Math.max(375, scrollWidth));
  });

  it('fails accessibility audits with every serious or critical violation listed', async () => {
    const page = await (await chrome.newContext()).newPage();
    // A data: URL carries no CSP; two known violations of impact critical (image-alt) and serious (link-name).
    await page.goto(
      'data:text/html,<!doctype html><html lang="en"><title>t</title><main><img src="x.png"><a href="/x"></a></main>',
    );
    const failure = await expectAccessible(page, 'broken page').then(
      () => '',
      (err: Error) => err.message,
    );
    expect(failure).toMatch(/^broken page \(data:text\/html.*\): 2 serious or critical/);
    expect(failure).toMatch(/\[critical\] image-alt: .*\n\s+at img:/);
    expect(failure).toMatch(/\[serious\] link-name: .*\n\s+at a:/);
  });

  it('refuses the public URL in a Chromium that does not trust its CA (trust is real, not ignored errors)', async () => {
    const untrusting = await launchChromium();
    try {
      const page = await (await untrusting.browser.newContext()).newPage();
      await expect(page.goto(`${p.publicUrl()}/api/v1/docs`)).rejects.toThrow(/ERR_CERT_AUTHORITY_INVALID/);
    } finally {
      await untrusting.close();
    }
  });
});
