import type { Context } from 'hono';
import { html } from 'hono/html';

// The few pages the API serves itself (CLI sign-in, the emailed invitation link): no scripts, values escaped by
// `html`, one layout.

export function page({ title, body }: { title: string; body: unknown }) {
  return html`<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${title} · Hexabase</title>
    <style>
      body { font-family: system-ui, sans-serif; max-width: 28rem; margin: 4rem auto; padding: 0 1rem; color: #1b1f24; }
      a.button, button { display: block; width: 100%; box-sizing: border-box; margin: .5rem 0; padding: .7rem;
        border: 1px solid #c9d1d9; border-radius: 6px; background: #f6f8fa; font: inherit; text-align: center;
        color: inherit; text-decoration: none; cursor: pointer; }
      button.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
      input { width: 100%; box-sizing: border-box; padding: .6rem; font: inherit; }
      small { color: #57606a; }
      :root { color-scheme: light dark; }
      @media (prefers-color-scheme: dark) {
        body { color: #e6edf3; background: #0d1117; }
        a.button, button { border-color: #30363d; background: #161b22; }
        button.primary { background: #1f6feb; border-color: #1f6feb; color: #fff; }
        input { background: #0d1117; color: inherit; border: 1px solid #30363d; }
        small { color: #8b949e; }
      }
    </style>
  </head>
  <body>
    <h1>${title}</h1>
    ${body}
  </body>
</html>`;
}

/**
 * No framing (clickjacking of the buttons), no caching, no scripts, no referrer (page URLs may carry tokens);
 * forms post to this origin and, where a page says so, are redirected on to `formTargets`.
 */
export function pageHeaders(c: Context, formTargets: string[] = []) {
  c.header('cache-control', 'no-store');
  c.header('x-frame-options', 'DENY');
  c.header('referrer-policy', 'no-referrer');
  c.header(
    'content-security-policy',
    `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${formTargets.join(' ')}; frame-ancestors 'none'`.trim(),
  );
}

/**
 * The configured identity providers and, with dev login on, the development form; each comes back to
 * `returnTo` (a same-origin path) once signed in.
 */
export function signInChoice(input: {
  providers: { id: string; name: string }[];
  devLogin: boolean;
  returnTo: string;
}) {
  const to = (id: string) =>
    `/auth/login/${encodeURIComponent(id)}?returnTo=${encodeURIComponent(input.returnTo)}`;
  return html`
      ${input.providers.map((p) => html`<a class="button" href="${to(p.id)}">Continue with ${p.name}</a>`)}
      ${
        input.devLogin
          ? html`<form method="post" action="/auth/login/dev">
              <p><small>Development sign-in (this installation has HEXABASE_DEV_LOGIN on)</small></p>
              <input type="hidden" name="returnTo" value="${input.returnTo}" />
              <input type="email" name="email" aria-label="Email" placeholder="you@example.com" required />
              <button type="submit">Continue</button>
            </form>`
          : ''
      }
      ${input.providers.length === 0 && !input.devLogin ? html`<p>No identity provider is configured.</p>` : ''}
    `;
}
