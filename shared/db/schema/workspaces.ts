import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  boolean,
  check,
  foreignKey,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  unique,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './common';
import { users } from './identity';
import { organizations, plans } from './orgs';

export const workspaceStatus = pgEnum('workspace_status', [
  'PENDING_CREATION',
  'PROVISIONING',
  'CONFIGURING',
  'RUNNING',
  'UPDATING',
  'DELETING',
  'ERROR',
  'SUSPENDED',
]);

export type Condition = {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastTransitionTime: string;
};

export const workspaces = pgTable(
  'workspaces',
  {
    id: id(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'restrict' }),
    name: text('name').notNull(),
    planId: text('plan_id')
      .notNull()
      .references(() => plans.id),
    dedicatedNodeConfig: jsonb('dedicated_node_config'),
    status: workspaceStatus('status').notNull().default('PENDING_CREATION'),
    statusMessage: text('status_message'),
    conditions: jsonb('conditions').$type<Condition[]>().notNull().default([]),
    endpoint: text('endpoint'),
    /** PEM of the CA that signs the vCluster API server's certificate, for users' kubeconfigs. */
    endpointCa: text('endpoint_ca'),
    /** Bumped on every desired-state change; the provisioner records what it last applied. */
    generation: integer('generation').notNull().default(1),
    observedGeneration: integer('observed_generation').notNull().default(0),
    /**
     * The provisioner's last settled verdict (RUNNING, or a terminal ERROR): a hash of the generation and the
     * desired host and in-vCluster state it acted on, and when. The reconcile tick skips a workspace whose hash
     * still matches until the resync period has passed (shared/provisioner/README.md).
     */
    reconciledHash: text('reconciled_hash'),
    reconciledAt: ts('reconciled_at'),
    deletionRequestedAt: ts('deletion_requested_at'),
    /**
     * Set by billing when the organization stayed unpaid past the grace period: the provisioner scales the vCluster
     * to zero (data kept) and the status is SUSPENDED until it is cleared.
     */
    suspendedAt: ts('suspended_at'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('workspaces_org_name_uq').on(t.organizationId, t.name),
    index('workspaces_org_created_idx').on(t.organizationId, t.createdAt, t.id),
  ],
);

export const workspaceMembers = pgTable(
  'workspace_members',
  {
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.workspaceId, t.userId] }), index('ws_members_user_idx').on(t.userId)],
);

export const groups = pgTable(
  'groups',
  {
    id: id(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    parentId: text('parent_id').references((): AnyPgColumn => groups.id, { onDelete: 'restrict' }),
    /** WorkspaceMembers, WSAdmins and WSUsers: created with the workspace, never deleted. */
    isDefault: boolean('is_default').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('groups_ws_name_uq').on(t.workspaceId, t.name),
    unique('groups_ws_id_uq').on(t.workspaceId, t.id),
    index('groups_parent_idx').on(t.parentId),
    check('groups_name_chk', sql`${t.name} ~ '^[A-Za-z0-9._-]{1,63}$'`),
    check('groups_not_own_parent_chk', sql`${t.parentId} is distinct from ${t.id}`),
  ],
);

/** Composite keys make "only workspace members can be in a group of that workspace" a database fact. */
export const groupMemberships = pgTable(
  'group_memberships',
  {
    workspaceId: text('workspace_id').notNull(),
    groupId: text('group_id').notNull(),
    userId: text('user_id').notNull(),
    createdAt: createdAt(),
  },
  (t) => [
    primaryKey({ columns: [t.groupId, t.userId] }),
    index('group_memberships_ws_user_idx').on(t.workspaceId, t.userId),
    foreignKey({
      columns: [t.workspaceId, t.groupId],
      foreignColumns: [groups.workspaceId, groups.id],
    }).onDelete('cascade'),
    foreignKey({
      columns: [t.workspaceId, t.userId],
      foreignColumns: [workspaceMembers.workspaceId, workspaceMembers.userId],
    }).onDelete('cascade'),
  ],
);

export const projects = pgTable(
  'projects',
  {
    id: id(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    /** Also the namespace name inside the vCluster. */
    name: text('name').notNull(),
    parentId: text('parent_id').references((): AnyPgColumn => projects.id, { onDelete: 'restrict' }),
    /** PENDING until the provisioner has created its namespace and objects (ACTIVE), or ERROR with a message. */
    status: text('status').notNull().default('PENDING'),
    statusMessage: text('status_message'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex('projects_ws_name_uq').on(t.workspaceId, t.name),
    index('projects_parent_idx').on(t.parentId),
    check('projects_name_chk', sql`${t.name} ~ '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$'`),
  ],
);

/** Custom project roles; presets live in code because they are the same in every project. */
export const roles = pgTable(
  'roles',
  {
    id: id(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    projectId: text('project_id')
      .notNull()
      .references(() => projects.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    rules: jsonb('rules').notNull(),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex('roles_project_name_uq').on(t.projectId, t.name)],
);

export const assignmentScope = pgEnum('assignment_scope', ['workspace', 'project']);

/**
 * Group → role. Workspace scope names a preset ClusterRole; project scope names a preset project role
 * (`roleName`) or a custom role (`roleId`), exactly one of the two.
 */
export const roleAssignments = pgTable(
  'role_assignments',
  {
    id: id(),
    workspaceId: text('workspace_id')
      .notNull()
      .references(() => workspaces.id, { onDelete: 'cascade' }),
    groupId: text('group_id').notNull(),
    scope: assignmentScope('scope').notNull(),
    projectId: text('project_id').references(() => projects.id, { onDelete: 'cascade' }),
    roleId: text('role_id').references(() => roles.id, { onDelete: 'cascade' }),
    roleName: text('role_name'),
    createdAt: createdAt(),
  },
  (t) => [
    foreignKey({
      columns: [t.workspaceId, t.groupId],
      foreignColumns: [groups.workspaceId, groups.id],
    }).onDelete('cascade'),
    check('ra_role_ref_chk', sql`(${t.roleId} is null) <> (${t.roleName} is null)`),
    check(
      'ra_scope_chk',
      sql`(${t.scope} = 'workspace' and ${t.projectId} is null and ${t.roleId} is null) or (${t.scope} = 'project' and ${t.projectId} is not null)`,
    ),
    uniqueIndex('ra_unique_uq').on(
      t.groupId,
      t.scope,
      sql`coalesce(${t.projectId}, '')`,
      sql`coalesce(${t.roleId}, ${t.roleName})`,
    ),
    index('ra_ws_idx').on(t.workspaceId),
    index('ra_project_idx').on(t.projectId),
  ],
);
