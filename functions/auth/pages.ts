import { html } from 'hono/html';
import { CSRF_FIELD } from '../../shared/auth/middleware';
import { page, signInChoice } from '../../shared/http/pages';

export { pageHeaders } from '../../shared/http/pages';

// Pages of the CLI sign-in. They are served by the API itself (no console needed); values are escaped by `html`.

export function signInPage(input: {
  providers: { id: string; name: string }[];
  devLogin: boolean;
  returnTo: string;
}) {
  return page({ title: 'Sign in to the Hexabase CLI', body: signInChoice(input) });
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
