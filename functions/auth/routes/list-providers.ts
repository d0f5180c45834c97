import { commonResponses, createRoute, defineOperation } from '../../../shared/http/openapi';
import { pageOf } from '../../../shared/http/pagination';
import * as z from '../../../shared/http/zod';
import type { AuthDeps } from '../deps';

const ProviderSchema = z.object({
  id: z.string(),
  name: z.string(),
  type: z.enum(['oidc', 'google', 'github']),
});

export const listProvidersOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/auth/providers',
    tags: ['Auth'],
    summary: 'Configured identity providers',
    security: [],
    responses: {
      200: { description: 'Providers', content: { 'application/json': { schema: pageOf(ProviderSchema) } } },
      ...commonResponses,
    },
  }),
  (deps: AuthDeps) => (c) =>
    c.json(
      {
        items: [...deps.auth.providers.values()].map(({ id, name, type }) => ({ id, name, type })),
        nextCursor: null,
      },
      200,
    ),
);
