import { OpenAPIHono } from '@hono/zod-openapi';
import type { Operation } from './openapi';

/** The document is derived from the same route definitions the functions serve; nothing is written by hand. */
export function buildOpenApiDocument(operations: Operation<never>[], publicUrl: string) {
  const registry = new OpenAPIHono();
  registry.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An access token from sign-in, or a personal access token (hxb_pat_…)',
  });
  registry.openAPIRegistry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'hxb_at',
  });
  for (const op of operations) registry.openAPIRegistry.registerPath(op.route);
  return registry.getOpenAPI31Document({
    openapi: '3.1.0',
    info: {
      title: 'Hexabase API',
      version: '1.0.0',
      description: 'Multi-tenant Kubernetes as a Service: organizations, workspaces (vClusters), projects.',
      license: { name: 'Apache-2.0' },
    },
    servers: [{ url: publicUrl }],
    security: [{ bearer: [] }, { session: [] }],
  });
}
