import { startSignIn } from '../../../shared/auth/flow';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import type { AuthDeps } from '../deps';
import { ProviderParam } from '../schemas';

const ReturnTo = z
  .string()
  .max(2048)
  .optional()
  .openapi({ description: 'Same-origin path to land on afterwards' });

export const redirectToProviderOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/auth/login/{provider}',
    tags: ['Auth'],
    summary: 'Start sign-in: redirect to the identity provider',
    security: [],
    request: { params: ProviderParam, query: z.object({ returnTo: ReturnTo }) },
    responses: {
      302: { description: 'To the provider' },
      ...problems(404, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const url = await startSignIn(deps.auth, {
      provider: c.req.valid('param').provider,
      ...c.req.valid('query'),
    });
    return c.redirect(url.toString(), 302);
  },
);

export const startLoginOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/auth/login/{provider}',
    tags: ['Auth'],
    summary: 'Start sign-in: authorization URL for API clients',
    security: [],
    request: {
      params: ProviderParam,
      body: {
        required: false,
        content: { 'application/json': { schema: z.object({ returnTo: ReturnTo }) } },
      },
    },
    responses: {
      200: {
        description: 'Where to send the user',
        content: { 'application/json': { schema: z.object({ authorizationUrl: z.string() }) } },
      },
      ...problems(404, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const url = await startSignIn(deps.auth, {
      provider: c.req.valid('param').provider,
      ...c.req.valid('json'),
    });
    return c.json({ authorizationUrl: url.toString() }, 200);
  },
);
