import { safeReturnTo } from '../../../shared/auth/flow';
import { requestMeta } from '../../../shared/auth/middleware';
import { signIn } from '../../../shared/auth/sign-in';
import { NotFoundError, ValidationError } from '../../../shared/errors';
import { isFormRequest } from '../../../shared/http/body';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { setSessionCookies } from '../cookies';
import type { AuthDeps } from '../deps';
import { TokenPairSchema } from '../schemas';

const DevLoginBody = z.object({
  email: z.email().max(254),
  name: z.string().trim().min(1).max(200).optional(),
});
const DevLoginForm = DevLoginBody.extend({ returnTo: z.string().max(2048).optional() });

export const devLoginOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/auth/login/dev',
    tags: ['Auth'],
    summary: 'Development sign-in (only with HEXABASE_DEV_LOGIN=true)',
    security: [],
    description:
      'JSON answers the tokens. The HTML form of the CLI sign-in page posts url-encoded with `returnTo` and is redirected there with the session cookies set.',
    request: {
      // Not "required": with two media types each validator runs only for its own Content-Type.
      body: {
        required: false,
        content: {
          'application/json': { schema: DevLoginBody },
          'application/x-www-form-urlencoded': { schema: DevLoginForm },
        },
      },
    },
    responses: {
      200: { description: 'Signed in', content: { 'application/json': { schema: TokenPairSchema } } },
      303: { description: 'Signed in from the HTML form; to returnTo' },
      ...problems(404, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    // Off means absent: the route does not reveal that it exists.
    if (!deps.auth.devLogin) throw new NotFoundError(`No route for POST ${c.req.path}.`);
    const fromForm = isFormRequest(c);
    const body: Partial<z.infer<typeof DevLoginForm>> = fromForm ? c.req.valid('form') : c.req.valid('json');
    if (!body.email) throw new ValidationError([{ field: 'email', message: 'Required' }]);
    const { email, name } = body;
    const returnTo = fromForm ? (safeReturnTo(deps.auth.publicUrl, body.returnTo) ?? '/') : null;
    const result = await signIn(deps.auth.auth, requestMeta(c, deps.auth.trustProxy), {
      provider: 'dev',
      subject: email.toLowerCase(),
      email,
      emailVerified: true,
      name: name ?? null,
    });
    setSessionCookies(c, result.tokens, deps.auth.auth.refreshTtlSeconds);
    if (returnTo) return c.redirect(returnTo, 303);
    const { accessToken, refreshToken, expiresIn } = result.tokens;
    return c.json({ accessToken, refreshToken, expiresIn, user: result.user }, 200);
  },
);
