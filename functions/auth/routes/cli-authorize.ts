import { CliAuthorizeParams, grantCliCode, loopbackRedirect } from '../../../shared/auth/cli-login';
import { CSRF_FIELD, csrfTokenOf } from '../../../shared/auth/csrf';
import { getMe } from '../../../shared/auth/me';
import { requestMeta } from '../../../shared/auth/middleware';
import { NotFoundError, UnauthenticatedError } from '../../../shared/errors';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import type { AuthDeps } from '../deps';
import { consentPage, pageHeaders, signInPage } from '../pages';

const Html = { 'text/html': { schema: z.string() } };

export const cliAuthorizePageOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/auth/cli/authorize',
    tags: ['Auth'],
    summary: 'CLI browser sign-in: sign in, then allow the CLI (loopback redirect, PKCE S256)',
    description:
      'Opened by `hxb login` in the browser. Signed out: the provider choice (or a redirect to `provider`). Signed in: a page asking the person to allow the CLI, which then receives a one-time code on its loopback `redirectUri`.',
    security: [],
    request: { query: CliAuthorizeParams },
    responses: {
      200: { description: 'Sign-in or consent page', content: Html },
      302: { description: 'To the chosen provider' },
      ...problems(404, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const params = c.req.valid('query');
    const redirect = loopbackRedirect(params.redirectUri);
    const principal = c.var.principal;
    if (!principal) {
      const here = `${c.req.path}?${new URL(c.req.url).searchParams}`;
      if (params.provider) {
        if (!deps.auth.providers.has(params.provider))
          throw new NotFoundError(
            `No identity provider "${params.provider}" is configured.`,
            'UNKNOWN_PROVIDER',
          );
        return c.redirect(`/auth/login/${params.provider}?returnTo=${encodeURIComponent(here)}`, 302);
      }
      pageHeaders(c);
      const providers = [...deps.auth.providers.values()].map(({ id, name }) => ({ id, name }));
      return c.html(signInPage({ providers, devLogin: deps.auth.devLogin, returnTo: here }), 200);
    }
    const me = await getMe(deps.auth.auth, {
      ...requestMeta(c, deps.auth.trustProxy),
      userId: principal.userId,
    });
    pageHeaders(c, [redirect.origin]);
    return c.html(
      consentPage({
        email: me.email,
        redirectUri: params.redirectUri,
        state: params.state,
        codeChallenge: params.codeChallenge,
        csrfToken: csrfTokenOf(deps.auth.auth, principal),
      }),
      200,
    );
  },
);

const Decision = CliAuthorizeParams.omit({ provider: true }).extend({
  decision: z.enum(['allow', 'deny']),
  [CSRF_FIELD]: z.string().max(256).optional(),
});

export const cliAuthorizeDecisionOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/auth/cli/authorize',
    tags: ['Auth'],
    summary: 'CLI browser sign-in: the person allows or denies the CLI',
    description:
      'The consent form posts here (with the CSRF cookie echoed in `csrfToken`). 303 to the loopback `redirectUri` with `code` and `state`, or `error=access_denied`.',
    request: {
      body: { required: true, content: { 'application/x-www-form-urlencoded': { schema: Decision } } },
    },
    responses: {
      303: { description: 'Back to the CLI on this computer' },
      ...problems(401, 403, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const principal = c.var.principal;
    if (!principal) throw new UnauthenticatedError('Sign in first.');
    const form = c.req.valid('form');
    const target = loopbackRedirect(form.redirectUri);
    target.searchParams.set('state', form.state);
    if (form.decision === 'deny') {
      target.searchParams.set('error', 'access_denied');
    } else {
      const actor = { ...requestMeta(c, deps.auth.trustProxy), userId: principal.userId };
      const code = await grantCliCode(deps.auth, actor, {
        redirectUri: form.redirectUri,
        codeChallenge: form.codeChallenge,
      });
      target.searchParams.set('code', code);
    }
    return c.redirect(target.href, 303);
  },
);
