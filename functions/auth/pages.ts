import type { Context } from 'hono';
import { html } from 'hono/html';
import { CSRF_FIELD } from '../../shared/auth/middleware';

// Pages of the CLI sign-in. They are served by the API itself (no console needed); values are escaped by `html`.

type Layout = { title: string; body: unknown };

const page = ({ title, body }: Layout) => html`<!doctype html>
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
    </style>
  </head>
  <body>
    <h1>${title}</h1>
    ${body}
  </body>
</html>`;

/**
 * No framing (clickjacking of the Allow button), no caching, no scripts; forms may post here and be redirected on
 * to the CLI's loopback address.
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

export function signInPage(input: {
  providers: { id: string; name: string }[];
  devLogin: boolean;
  returnTo: string;
}) {
  const to = (id: string) =>
    `/auth/login/${encodeURIComponent(id)}?returnTo=${encodeURIComponent(input.returnTo)}`;
  return page({
    title: 'Sign in to the Hexabase CLI',
    body: html`
      ${input.providers.map((p) => html`<a class="button" href="${to(p.id)}">Continue with ${p.name}</a>`)}
      ${
        input.devLogin
          ? html`<form method="post" action="/auth/login/dev">
              <p><small>Development sign-in (this installation has HEXABASE_DEV_LOGIN on)</small></p>
              <input type="hidden" name="returnTo" value="${input.returnTo}" />
              <input type="email" name="email" placeholder="you@example.com" required />
              <button type="submit">Continue</button>
            </form>`
          : ''
      }
      ${input.providers.length === 0 && !input.devLogin ? html`<p>No identity provider is configured.</p>` : ''}
    `,
  });
}

export function consentPage(input: {
  email: string;
  redirectUri: string;
  state: string;
  codeChallenge: string;
  csrfToken: string | undefined;
}) {
  const port = new URL(input.redirectUri).port;
  return page({
    title: 'Allow the Hexabase CLI?',
    body: html`
      <p>The <code>hxb</code> command on this computer (waiting on port ${port}) asks to act as
        <strong>${input.email}</strong> with a personal access token.</p>
      <p><small>Only allow it if you just ran <code>hxb login</code> yourself.</small></p>
      <form method="post" action="/auth/cli/authorize">
        <input type="hidden" name="redirectUri" value="${input.redirectUri}" />
        <input type="hidden" name="state" value="${input.state}" />
        <input type="hidden" name="codeChallenge" value="${input.codeChallenge}" />
        ${input.csrfToken ? html`<input type="hidden" name="${CSRF_FIELD}" value="${input.csrfToken}" />` : ''}
        <button class="primary" type="submit" name="decision" value="allow">Allow</button>
        <button type="submit" name="decision" value="deny">Deny</button>
      </form>
    `,
  });
}
