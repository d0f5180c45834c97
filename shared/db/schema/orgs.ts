import { sql } from 'drizzle-orm';
import {
  boolean,
  index,
  integer,
  jsonb,
  pgEnum,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './common';
import { users } from './identity';

export const orgRole = pgEnum('org_role', ['admin', 'member']);
export const invitationStatus = pgEnum('invitation_status', ['pending', 'accepted', 'declined', 'cancelled']);

export const plans = pgTable('plans', {
  id: text('id').primaryKey(),
  name: text('name').notNull(),
  /** Minor units (cents) per month. */
  price: integer('price').notNull(),
  currency: text('currency').notNull(),
  resourceLimits: jsonb('resource_limits').notNull(),
  allowsDedicatedNodes: boolean('allows_dedicated_nodes').notNull().default(false),
  maxProjects: integer('max_projects').notNull(),
  maxMembers: integer('max_members').notNull(),
  stripePriceId: text('stripe_price_id'),
  sortOrder: integer('sort_order').notNull().default(0),
  active: boolean('active').notNull().default(true),
});

export const organizations = pgTable('organizations', {
  id: id(),
  name: text('name').notNull(),
  /** The organization created for a person at first sign-in. */
  personal: boolean('personal').notNull().default(false),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});

export const organizationMembers = pgTable(
  'organization_members',
  {
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    role: orgRole('role').notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.organizationId, t.userId] }), index('org_members_user_idx').on(t.userId)],
);

export const invitations = pgTable(
  'invitations',
  {
    id: id(),
    organizationId: text('organization_id')
      .notNull()
      .references(() => organizations.id, { onDelete: 'cascade' }),
    email: text('email').notNull(),
    role: orgRole('role').notNull(),
    tokenHash: text('token_hash').notNull(),
    /** The token, encrypted with the key-encryption key, so the email sender can build the link later. */
    tokenEncrypted: text('token_encrypted'),
    status: invitationStatus('status').notNull().default('pending'),
    invitedBy: text('invited_by').references(() => users.id, { onDelete: 'set null' }),
    respondedBy: text('responded_by').references(() => users.id, { onDelete: 'set null' }),
    expiresAt: ts('expires_at').notNull(),
    respondedAt: ts('responded_at'),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex('invitations_token_hash_uq').on(t.tokenHash),
    // At most one open invitation per address and organization.
    uniqueIndex('invitations_pending_uq')
      .on(t.organizationId, sql`lower(${t.email})`)
      .where(sql`${t.status} = 'pending'`),
    index('invitations_email_idx').on(sql`lower(${t.email})`),
  ],
);
