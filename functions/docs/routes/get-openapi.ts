import { createRoute, defineOperation } from '../../../shared/http/openapi';
import { buildOpenApiDocument } from '../../../shared/http/openapi-document';
import * as z from '../../../shared/http/zod';
import type { DocsDeps } from '../deps';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/openapi.json',
  tags: ['Meta'],
  summary: 'OpenAPI 3.1 document of every route',
  security: [],
  responses: {
    200: {
      description: 'The document',
      content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
    },
  },
});

export const getOpenApiOperation = defineOperation(route, (deps: DocsDeps) => {
  let cached: unknown;
  return (c) => {
    cached ??= buildOpenApiDocument(deps.documented, deps.publicUrl);
    return c.json(cached as Record<string, unknown>, 200);
  };
});
