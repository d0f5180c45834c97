import { createRoute, defineOperation } from '../../../shared/http/openapi';
import type { DocsDeps } from '../app';
import { referencePage } from '../reference-page';

export const route = createRoute({
  method: 'get',
  path: '/api/v1/docs',
  tags: ['Meta'],
  summary: 'Human-readable API reference',
  security: [],
  responses: {
    200: {
      description: 'HTML page rendering /api/v1/openapi.json',
      content: { 'text/html': { schema: {} } },
    },
  },
});

export const getReferenceOperation = defineOperation(
  route,
  (_deps: DocsDeps) => (c) =>
    c.html(referencePage('/api/v1/openapi.json'), 200, {
      'content-security-policy':
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; connect-src 'self'",
    }),
);
