import type { Operation } from '../shared/http/openapi';
import { buildOpenApiDocument } from '../shared/http/openapi-document';
import * as auth from './auth/app';
import * as docs from './docs/app';
import * as oidc from './oidc/app';
import * as organizations from './organizations/app';
import * as plans from './plans/app';
import * as projects from './projects/app';
import * as workspaces from './workspaces/app';

/**
 * Every public API operation, by function. Kept apart from the registry so that the docs function's bundle holds
 * route definitions, not the workers (the provisioner's Kubernetes client, the relay).
 */
// biome-ignore lint/suspicious/noExplicitAny: each function has its own deps type; this only lists them.
export const apiOperations: Record<string, Operation<any>[]> = {
  auth: auth.operations,
  organizations: organizations.operations,
  workspaces: workspaces.operations,
  projects: projects.operations,
  plans: plans.operations,
  docs: docs.operations,
  oidc: oidc.operations,
};

export function openApiDocument(publicUrl: string) {
  return buildOpenApiDocument(Object.values(apiOperations).flat() as Operation<never>[], publicUrl);
}
