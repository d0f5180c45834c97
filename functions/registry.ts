import { type AppOptions, createApp, type HexabaseApp } from '../shared/http/app';
import type { Operation } from '../shared/http/openapi';
import { buildOpenApiDocument } from '../shared/http/openapi-document';
import type { Platform } from '../shared/platform';
import * as auth from './auth/app';
import * as authDeps from './auth/deps';
import * as billing from './billing/app';
import * as billingDeps from './billing/deps';
import * as billingWorker from './billing-worker/app';
import * as billingWorkerDeps from './billing-worker/deps';
import * as consoleApp from './console/app';
import * as consoleDeps from './console/deps';
import * as deadLetters from './dead-letters/app';
import * as deadLettersDeps from './dead-letters/deps';
import * as docs from './docs/app';
import * as docsDeps from './docs/deps';
import * as keyRotation from './key-rotation/app';
import * as keyRotationDeps from './key-rotation/deps';
import * as notifications from './notifications/app';
import * as notificationsDeps from './notifications/deps';
import * as oidc from './oidc/app';
import * as oidcDeps from './oidc/deps';
import * as organizations from './organizations/app';
import * as organizationsDeps from './organizations/deps';
import * as plans from './plans/app';
import * as plansDeps from './plans/deps';
import * as projects from './projects/app';
import * as projectsDeps from './projects/deps';
import * as provisioner from './provisioner/app';
import * as provisionerDeps from './provisioner/deps';
import * as stripeWebhooks from './stripe-webhooks/app';
import * as stripeWebhooksDeps from './stripe-webhooks/deps';
import * as usage from './usage/app';
import * as usageDeps from './usage/deps';
import * as usageSampler from './usage-sampler/app';
import * as usageSamplerDeps from './usage-sampler/deps';
import * as workspaces from './workspaces/app';
import * as workspacesDeps from './workspaces/deps';

export type { AppOptions };

export type FunctionModule = {
  // biome-ignore lint/suspicious/noExplicitAny: each function has its own deps type; the registry only lists them.
  operations: Operation<any>[];
  create: (platform: Platform, app: AppOptions) => HexabaseApp;
};

/** A function's routes, and its app built from the platform by the builder its own entry point uses. */
function fn<D>(
  operations: Operation<D>[],
  create: (deps: D, app: AppOptions) => HexabaseApp,
  fromPlatform: (p: Platform) => D,
): FunctionModule {
  return { operations, create: (p, o) => create(fromPlatform(p), o) };
}

/** Name → implementation for every row of shared/routes/table.ts (a test keeps the two in step). */
export const functionRegistry = {
  auth: fn(auth.operations, auth.createAuthApp, authDeps.fromPlatform),
  organizations: fn(
    organizations.operations,
    organizations.createOrganizationsApp,
    organizationsDeps.fromPlatform,
  ),
  workspaces: fn(workspaces.operations, workspaces.createWorkspacesApp, workspacesDeps.fromPlatform),
  projects: fn(projects.operations, projects.createProjectsApp, projectsDeps.fromPlatform),
  usage: fn(usage.operations, usage.createUsageApp, usageDeps.fromPlatform),
  'usage-sampler': fn([], usageSampler.createUsageSamplerApp, usageSamplerDeps.fromPlatform),
  billing: fn(billing.operations, billing.createBillingApp, billingDeps.fromPlatform),
  'stripe-webhooks': fn(
    stripeWebhooks.operations,
    stripeWebhooks.createStripeWebhooksApp,
    stripeWebhooksDeps.fromPlatform,
  ),
  'billing-worker': fn([], billingWorker.createBillingWorkerApp, billingWorkerDeps.fromPlatform),
  notifications: fn([], notifications.createNotificationsApp, notificationsDeps.fromPlatform),
  'dead-letters': fn([], deadLetters.createDeadLettersApp, deadLettersDeps.fromPlatform),
  provisioner: fn([], provisioner.createProvisionerApp, provisionerDeps.fromPlatform),
  'key-rotation': fn([], keyRotation.createKeyRotationApp, keyRotationDeps.fromPlatform),
  relay: { operations: [], create: (_p, o) => createApp({ ...o, name: 'relay' }) },
  oidc: fn(oidc.operations, oidc.createOidcApp, oidcDeps.fromPlatform),
  plans: fn(plans.operations, plans.createPlansApp, plansDeps.fromPlatform),
  docs: fn(docs.operations, docs.createDocsApp, docsDeps.fromPlatform),
  console: fn(consoleApp.operations, consoleApp.createConsoleApp, consoleDeps.fromPlatform),
} satisfies Record<string, FunctionModule>;

export type FunctionName = keyof typeof functionRegistry;

export function allOperations(): Operation<never>[] {
  return Object.values(functionRegistry).flatMap((f) => f.operations as Operation<never>[]);
}

/** The OpenAPI document the docs function serves, built from the same operations. */
export function openApiDocument(publicUrl: string) {
  return buildOpenApiDocument(allOperations(), publicUrl);
}
