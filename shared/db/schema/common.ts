import { text, timestamp } from 'drizzle-orm/pg-core';

/** All timestamps are timestamptz, returned as Date and serialised as RFC 3339 UTC. */
// Millisecond precision, like JavaScript dates: keyset cursors round-trip a timestamp exactly.
export const ts = (name: string) => timestamp(name, { withTimezone: true, mode: 'date', precision: 3 });
export const createdAt = () => ts('created_at').notNull().defaultNow();
export const updatedAt = () => ts('updated_at').notNull().defaultNow();
export const id = () => text('id').primaryKey();
