import { CliTokenRequest, redeemCliCode } from '../../../shared/auth/cli-login';
import { requestMeta } from '../../../shared/auth/middleware';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import type { AuthDeps } from '../deps';
import { PatSchema } from './tokens';

export const cliTokenOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/auth/cli/token',
    tags: ['Auth'],
    summary: 'CLI browser sign-in: redeem the one-time code for a personal access token',
    description:
      'The CLI proves it started the sign-in with the PKCE `codeVerifier`. The code works once, for two minutes; a wrong verifier uses it up. The token lasts 90 days and is listed and revocable under /auth/tokens.',
    security: [],
    request: { body: { required: true, content: { 'application/json': { schema: CliTokenRequest } } } },
    responses: {
      201: {
        description: 'A personal access token for the CLI; `token` is never shown again',
        content: { 'application/json': { schema: PatSchema.extend({ token: z.string() }) } },
      },
      ...problems(429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const created = await redeemCliCode(deps.auth, requestMeta(c, deps.auth.trustProxy), c.req.valid('json'));
    return c.json(created, 201);
  },
);
