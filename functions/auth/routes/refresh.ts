import { getCookie } from 'hono/cookie';
import { COOKIES, requestMeta } from '../../../shared/auth/middleware';
import { refreshSession } from '../../../shared/auth/refresh';
import { UnauthenticatedError } from '../../../shared/errors';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import { setSessionCookies } from '../cookies';
import type { AuthDeps } from '../deps';

export const refreshOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/auth/refresh',
    tags: ['Auth'],
    summary: 'Exchange a refresh token for a new pair',
    description:
      'The old refresh token stops working. Presenting it again within HEXABASE_REFRESH_REUSE_GRACE_SECONDS of the rotation (tabs racing) answers the same new refresh token with a fresh access token; any later use of a spent refresh token revokes the whole session.',
    security: [],
    request: {
      body: {
        required: false,
        content: {
          'application/json': { schema: z.object({ refreshToken: z.string().max(200).optional() }) },
        },
      },
    },
    responses: {
      200: {
        description: 'New tokens',
        content: {
          'application/json': {
            schema: z.object({
              accessToken: z.string(),
              refreshToken: z.string(),
              expiresIn: z.number().int(),
            }),
          },
        },
      },
      ...problems(401, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const token = c.req.valid('json').refreshToken ?? getCookie(c, COOKIES.refresh);
    if (!token) throw new UnauthenticatedError('Send the refresh token.', 'INVALID_REFRESH_TOKEN');
    const pair = await refreshSession(deps.auth.auth, requestMeta(c, deps.auth.trustProxy), {
      refreshToken: token,
    });
    setSessionCookies(c, pair, deps.auth.auth.refreshTtlSeconds);
    return c.json(
      { accessToken: pair.accessToken, refreshToken: pair.refreshToken, expiresIn: pair.expiresIn },
      200,
    );
  },
);
