import { type CreateAppOptions, createApp, type HexabaseApp } from '../shared/http/app';
import type { Operation } from '../shared/http/openapi';
import { nodePool } from '../shared/k8s/nodes';
import { createMailer, mailSettings } from '../shared/mail';
import type { Platform } from '../shared/platform';
import { chartOptions, hostCluster } from '../shared/provisioner/host';
import * as auth from './auth/app';
import * as deadLetters from './dead-letters/app';
import * as docs from './docs/app';
import * as keyRotation from './key-rotation/app';
import * as notifications from './notifications/app';
import * as oidc from './oidc/app';
import { openApiDocument } from './operations';
import * as organizations from './organizations/app';
import * as plans from './plans/app';
import * as projects from './projects/app';
import * as provisioner from './provisioner/app';
import * as workspaces from './workspaces/app';

export type AppOptions = Omit<CreateAppOptions, 'name'>;

export type FunctionModule = {
  // biome-ignore lint/suspicious/noExplicitAny: each function has its own deps type; the registry only lists them.
  operations: Operation<any>[];
  create: (platform: Platform, app: AppOptions) => HexabaseApp;
};

/** Name → implementation for every row of shared/routes/table.ts (a test keeps the two in step). */
export const functionRegistry = {
  auth: { operations: auth.operations, create: (p, o) => auth.createAuthApp(p, o) },
  organizations: {
    operations: organizations.operations,
    create: (p, o) => organizations.createOrganizationsApp(p, o),
  },
  workspaces: {
    operations: workspaces.operations,
    create: (p, o) => workspaces.createWorkspacesApp({ ...p, nodes: nodePool(hostCluster(p.env)) }, o),
  },
  projects: { operations: projects.operations, create: (p, o) => projects.createProjectsApp(p, o) },
  notifications: {
    operations: [],
    create: (p, o) =>
      notifications.createNotificationsApp(
        { db: p.db, orgs: p.orgs, mailer: createMailer(mailSettings(p.env), p.log), log: p.log },
        o,
      ),
  },
  'dead-letters': { operations: [], create: (p, o) => deadLetters.createDeadLettersApp(p, o) },
  provisioner: {
    operations: [],
    create: (p, o) =>
      provisioner.createProvisionerApp(
        {
          db: p.db,
          authzCache: p.authz.cache,
          host: hostCluster(p.env),
          chart: chartOptions(p.env),
          log: p.log,
        },
        o,
      ),
  },
  'key-rotation': {
    operations: [],
    create: (p, o) => keyRotation.createKeyRotationApp(keyRotation.keyRotationDeps(p), o),
  },
  relay: { operations: [], create: (_p, o) => createApp({ ...o, name: 'relay' }) },
  oidc: {
    operations: oidc.operations,
    create: (p, o) =>
      oidc.createOidcApp({ auth: p.auth, ttlSeconds: p.env.HEXABASE_WORKSPACE_TOKEN_TTL_SECONDS }, o),
  },
  plans: { operations: plans.operations, create: (p, o) => plans.createPlansApp(p, o) },
  docs: {
    operations: docs.operations,
    create: (p, o) => docs.createDocsApp({ document: () => openApiDocument(p.env.HEXABASE_PUBLIC_URL) }, o),
  },
} satisfies Record<string, FunctionModule>;

export type FunctionName = keyof typeof functionRegistry;

export function allOperations(): Operation<never>[] {
  return Object.values(functionRegistry).flatMap((f) => f.operations as Operation<never>[]);
}

export { openApiDocument };
