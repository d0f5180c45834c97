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

export const getReferenceOperation = defineOperation(route, (_deps: DocsDeps) => {
  const page = referencePage('/api/v1/openapi.json');
  return (c) => c.html(page.html, 200, { 'content-security-policy': page.csp, 'x-frame-options': 'DENY' });
});
