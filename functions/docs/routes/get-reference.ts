import { createRoute, defineOperation } from '../../../shared/http/openapi';
import type { DocsDeps } from '../deps';
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
  // Encoded once: the page has characters beyond Latin-1, which Node would otherwise encode to UTF-8 twice per
  // request (for Content-Length, then for the socket).
  const html = new TextEncoder().encode(page.html);
  const headers = {
    'content-type': 'text/html; charset=UTF-8',
    'content-security-policy': page.csp,
    'x-frame-options': 'DENY',
  };
  return (c) => c.body(html, 200, headers);
});
