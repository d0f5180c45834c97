import { sql } from 'drizzle-orm';
import { bigserial, index, integer, jsonb, pgEnum, pgTable, primaryKey, text } from 'drizzle-orm/pg-core';
import { createdAt, id, ts, updatedAt } from './common';
import { users } from './identity';
import { organizations } from './orgs';

export const taskStatus = pgEnum('task_status', ['pending', 'running', 'succeeded', 'failed']);

export const tasks = pgTable(
  'tasks',
  {
    id: id(),
    type: text('type').notNull(),
    status: taskStatus('status').notNull().default('pending'),
    progress: integer('progress').notNull().default(0),
    message: text('message'),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    /** The workspace or project the task acts on; no foreign key so a deletion task outlives its subject. */
    resourceId: text('resource_id'),
    createdBy: text('created_by').references(() => users.id, { onDelete: 'set null' }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index('tasks_resource_idx').on(t.resourceId), index('tasks_org_idx').on(t.organizationId)],
);

/** Transactional outbox: written with the change it announces, published to NATS by the relay. */
export const outbox = pgTable(
  'outbox',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    id: text('id').notNull().unique(),
    type: text('type').notNull(),
    source: text('source').notNull(),
    subject: text('subject'),
    data: jsonb('data').notNull(),
    createdAt: createdAt(),
    sentAt: ts('sent_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** W3C trace context of the change that wrote the row: the event carries it on (CloudEvents distributed tracing). */
    traceparent: text('traceparent'),
  },
  (t) => [index('outbox_unsent_idx').on(t.seq).where(sql`${t.sentAt} is null`)],
);

/** Inbox: one row per (consumer, event) written in the handler's transaction, so redelivery has one effect. */
export const processedEvents = pgTable(
  'processed_events',
  {
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    processedAt: ts('processed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.consumer, t.eventId] })],
);

export const deadLetters = pgTable(
  'dead_letters',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    consumer: text('consumer').notNull(),
    eventId: text('event_id').notNull(),
    type: text('type').notNull(),
    event: jsonb('event').notNull(),
    attempts: integer('attempts').notNull(),
    lastError: text('last_error'),
    createdAt: createdAt(),
    replayedAt: ts('replayed_at'),
  },
  (t) => [index('dead_letters_open_idx').on(t.createdAt).where(sql`${t.replayedAt} is null`)],
);

export const auditLog = pgTable(
  'audit_log',
  {
    id: id(),
    organizationId: text('organization_id').references(() => organizations.id, { onDelete: 'cascade' }),
    workspaceId: text('workspace_id'),
    actorId: text('actor_id'),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    data: jsonb('data').notNull().default({}),
    requestId: text('request_id'),
    ip: text('ip'),
    createdAt: createdAt(),
  },
  (t) => [
    index('audit_org_time_idx').on(t.organizationId, t.createdAt, t.id),
    index('audit_actor_idx').on(t.organizationId, t.actorId),
  ],
);

/** Idempotency-Key: the first response to (caller, key) is replayed for a repeat with the same body. */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    scope: text('scope').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    status: integer('status'),
    responseBody: text('response_body'),
    responseHeaders: jsonb('response_headers'),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
    expiresAt: ts('expires_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.key] }), index('idempotency_expiry_idx').on(t.expiresAt)],
);
