import type { Fetch } from '../auth/providers/http';

type App = { request: (path: string, init?: RequestInit) => Response | Promise<Response> };

/**
 * A minimal browser for redirect flows: follows redirects by hand, keeps cookies per origin, talks to the app under
 * test in-process (app.request) and to external servers (the IdP) over the network.
 */
export function createBrowser(opts: { app: App; appOrigin: string; external: Fetch; clientIp?: string }) {
  // Each browser is its own client address (behind the trusted proxy of the test env), like separate people.
  const clientIp = opts.clientIp ?? `198.51.100.${Math.floor(Math.random() * 254) + 1}`;
  const jars = new Map<string, Map<string, string>>();
  const jar = (origin: string) => jars.get(origin) ?? jars.set(origin, new Map()).get(origin)!;

  const send = async (url: URL, init: RequestInit = {}) => {
    const cookies = [...jar(url.origin)].map(([k, v]) => `${k}=${v}`).join('; ');
    const headers = new Headers(init.headers);
    if (cookies) headers.set('cookie', cookies);
    if (url.origin === opts.appOrigin) headers.set('x-forwarded-for', clientIp);
    const res =
      url.origin === opts.appOrigin
        ? await opts.app.request(`${url.pathname}${url.search}`, { ...init, headers })
        : await opts.external(url, { ...init, headers, redirect: 'manual' });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      if (/max-age=0/i.test(c) || value === '') jar(url.origin).delete(name);
      else jar(url.origin).set(name, value);
    }
    return res;
  };

  return {
    cookies: (origin: string) => jar(origin),
    send,
    /** Submits an HTML form as a browser does: url-encoded fields, cookies of the target's origin. */
    submit: (url: string | URL, fields: Record<string, string>) =>
      send(new URL(url, opts.appOrigin), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(fields).toString(),
      }),
    /** Follows redirects from `start` until `stopAt` matches (returned unvisited) or a non-redirect answers. */
    follow: async (start: string | URL, stopAt: (u: URL) => boolean = () => false) => {
      let url = new URL(start, opts.appOrigin);
      for (let hop = 0; hop < 20; hop++) {
        if (hop > 0 && stopAt(url)) return { url, res: undefined };
        const res = await send(url);
        const location = res.headers.get('location');
        if (res.status < 300 || res.status >= 400 || !location) return { url, res };
        url = new URL(location, url);
      }
      throw new Error('too many redirects');
    },
  };
}

const ENTITIES: Record<string, string> = {
  '&amp;': '&',
  '&quot;': '"',
  '&#39;': "'",
  '&lt;': '<',
  '&gt;': '>',
};

/** The hidden inputs of a page's form, unescaped: what a browser would post back. */
export function hiddenFields(html: string): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const m of html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g))
    fields[m[1]!] = m[2]!.replace(/&(amp|quot|#39|lt|gt);/g, (e) => ENTITIES[e]!);
  return fields;
}
