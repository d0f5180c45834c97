import { completeSignIn } from '../../../shared/auth/flow';
import { requestMeta } from '../../../shared/auth/middleware';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { setSessionCookies } from '../cookies';
import type { AuthDeps } from '../deps';
import { ProviderParam, TokenPairSchema } from '../schemas';

export const callbackOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/auth/callback/{provider}',
    tags: ['Auth'],
    summary: 'Complete sign-in (the provider redirects here)',
    description:
      'First sign-in creates the user and a private organization. Sets the session cookies and redirects to returnTo, or answers the tokens as JSON when Accept is application/json.',
    security: [],
    request: {
      params: ProviderParam,
      query: z
        .object({ code: z.string().optional(), state: z.string().optional(), error: z.string().optional() })
        .passthrough(),
    },
    responses: {
      200: {
        description: 'Signed in (Accept: application/json)',
        content: { 'application/json': { schema: TokenPairSchema } },
      },
      302: { description: 'Signed in; to returnTo' },
      ...problems(401, 404, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const result = await completeSignIn(
      deps.auth,
      { ...requestMeta(c, deps.auth.trustProxy), log: c.var.log },
      { provider: c.req.valid('param').provider, callbackUrl: new URL(c.req.url) },
    );
    setSessionCookies(c, result.tokens, deps.auth.auth.refreshTtlSeconds);
    if ((c.req.header('accept') ?? '').includes('application/json')) {
      const { accessToken, refreshToken, expiresIn } = result.tokens;
      return c.json({ accessToken, refreshToken, expiresIn, user: result.user }, 200);
    }
    return c.redirect(result.returnTo ?? '/', 302);
  },
);
