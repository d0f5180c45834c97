import { requestMeta } from '../../../shared/auth/middleware';
import { signIn } from '../../../shared/auth/sign-in';
import { NotFoundError } from '../../../shared/errors';
import { createRoute, defineOperation, problems, z } from '../../../shared/http/openapi';
import type { AuthDeps } from '../app';
import { setSessionCookies } from '../cookies';
import { TokenPairSchema } from '../schemas';

export const devLoginOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/auth/login/dev',
    tags: ['Auth'],
    summary: 'Development sign-in (only with HEXABASE_DEV_LOGIN=true)',
    security: [],
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({
              email: z.email().max(254),
              name: z.string().trim().min(1).max(200).optional(),
            }),
          },
        },
      },
    },
    responses: {
      200: { description: 'Signed in', content: { 'application/json': { schema: TokenPairSchema } } },
      ...problems(404, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    // Off means absent: the route does not reveal that it exists.
    if (!deps.auth.devLogin) throw new NotFoundError(`No route for POST ${c.req.path}.`);
    const { email, name } = c.req.valid('json');
    const result = await signIn(
      deps.auth.auth,
      { provider: 'dev', subject: email.toLowerCase(), email, emailVerified: true, name: name ?? null },
      requestMeta(c, deps.auth.trustProxy),
    );
    setSessionCookies(c, result.tokens, deps.auth.auth.refreshTtlSeconds);
    const { accessToken, refreshToken, expiresIn } = result.tokens;
    return c.json({ accessToken, refreshToken, expiresIn, user: result.user }, 200);
  },
);
