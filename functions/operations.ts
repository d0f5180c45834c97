import type { Operation } from '../shared/http/openapi';
import * as auth from './auth/app';
import * as billing from './billing/app';
import * as oidc from './oidc/app';
import * as organizations from './organizations/app';
import * as plans from './plans/app';
import * as projects from './projects/app';
import * as stripeWebhooks from './stripe-webhooks/app';
import * as usage from './usage/app';
import * as workspaces from './workspaces/app';

/**
 * The public API operations of every function but docs, which documents them (and adds its own). Kept apart from
 * the registry so that the docs function's bundle holds route definitions, not the workers (the provisioner's
 * Kubernetes client, the relay).
 */
// biome-ignore lint/suspicious/noExplicitAny: each function has its own deps type; this only lists them.
export const apiOperations: Record<string, Operation<any>[]> = {
  auth: auth.operations,
  organizations: organizations.operations,
  workspaces: workspaces.operations,
  projects: projects.operations,
  plans: plans.operations,
  oidc: oidc.operations,
  billing: billing.operations,
  'stripe-webhooks': stripeWebhooks.operations,
  usage: usage.operations,
};
