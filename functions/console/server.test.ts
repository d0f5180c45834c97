import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { json } from '../../shared/testing/http';
import { usePlatform } from '../../shared/testing/platform';

const ORIGIN = 'http://localhost:8080';

/** The shell's script and stylesheet, as the page names them. */
const assetsOf = (html: string) => ({
  script: /<script type="module" src="(\/assets\/app-[^"]+\.js)"><\/script>/.exec(html)?.[1],
  style: /<link rel="stylesheet" href="(\/assets\/app-[^"]+\.css)">/.exec(html)?.[1],
});

describe('console function (served through the local server, as the ingress routes it)', () => {
  const platform = usePlatform({ HEXABASE_DEV_LOGIN: 'true' });
  let server: ReturnType<typeof createLocalServer>;
  beforeAll(() => {
    server = createLocalServer(platform());
  });
  const get = (path: string, init?: RequestInit) => server.fetch(new Request(`${ORIGIN}${path}`, init));

  it.each(['/', '/workspaces', '/workspaces/ws-x', '/tokens', '/no/such/screen'])(
    'serves the shell for %s with a strict CSP and the security headers',
    async (path) => {
      const res = await get(path);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=UTF-8');
      const csp = res.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'none'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).toContain("style-src 'self'");
      expect(csp).toContain("frame-ancestors 'none'");
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
      expect(res.headers.get('cache-control')).toBe('no-cache');
      const html = await res.text();
      // No inline script or style: every <script> has a src, no <style>, no style attribute.
      expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
      expect(html).not.toMatch(/<style|\sstyle=/);
      expect(html).toContain('<meta name="hxb-dev-login" content="true">');
      expect(assetsOf(html).script).toBeDefined();
      expect(assetsOf(html).style).toBeDefined();
    },
  );

  it('serves the hashed script and stylesheet for a year, and 404 for any other asset', async () => {
    const { script, style } = assetsOf(await (await get('/')).text());
    const js = await get(script!);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect((await js.text()).length).toBeGreaterThan(1000);
    const css = await get(style!);
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('prefers-color-scheme');
    const missing = await get('/assets/app-NOPE.js');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('leaves /api, /auth and /oidc to their functions, and answers unclaimed API-like paths with a problem', async () => {
    const plans = await get('/api/v1/plans');
    expect(plans.status).toBe(200);
    expect((await json(plans)).items.length).toBeGreaterThan(0);
    const providers = await get('/auth/providers');
    expect(providers.status).toBe(200);
    expect(await json(providers)).toEqual({ items: [], nextCursor: null });
    const me = await get('/auth/me');
    expect(me.status).toBe(401);
    expect(me.headers.get('content-type')).toBe('application/problem+json');
    const discovery = await get('/oidc/ws-abcdefghijklmnopqrst/.well-known/openid-configuration');
    expect(discovery.headers.get('content-type')).not.toContain('text/html');
    expect((await get('/api/v1/openapi.json')).headers.get('content-type')).toContain('application/json');
    for (const path of [
      '/api/v2/organizations',
      '/api',
      '/auth/nothing-here',
      '/webhooks/stripe',
      '/metrics',
    ]) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toBe('application/problem+json');
    }
    expect(await json(await get('/healthz'))).toEqual({ status: 'ok' });
  });

  it('answers non-GET methods on console paths with a problem, never the page', async () => {
    const res = await get('/workspaces', {
      method: 'POST',
      body: '{}',
      headers: { 'content-type': 'application/json' },
    });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/problem+json');
  });

  it('signs in through the development form the sign-in screen posts, and lands back on the console', async () => {
    const res = await get('/auth/login/dev', {
      method: 'POST',
      body: new URLSearchParams({ email: 'ada@example.com', name: 'Ada', returnTo: '/workspaces/new' }),
      redirect: 'manual',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/workspaces/new');
    const cookies = res.headers.getSetCookie().map((c) => c.split('=')[0]);
    expect(cookies).toEqual(expect.arrayContaining(['hxb_at', 'hxb_rt', 'hxb_csrf']));
  });
});
