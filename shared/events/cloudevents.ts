import { CloudEvent } from 'cloudevents';
import type { outbox } from '../db/schema';

export const STREAM = 'HEXABASE_EVENTS';
export const SUBJECT_PREFIX = 'hexabase.events.';

export const subjectFor = (type: string) => `${SUBJECT_PREFIX}${type}`;

/** An outbox row as the CloudEvent it announces (CONTRACT: specversion 1.0, JSON data, subject = resource id). */
export function toCloudEvent(row: typeof outbox.$inferSelect): CloudEvent<Record<string, unknown>> {
  return new CloudEvent({
    specversion: '1.0',
    id: row.id,
    type: row.type,
    source: row.source,
    ...(row.subject ? { subject: row.subject } : {}),
    time: row.createdAt.toISOString(),
    datacontenttype: 'application/json',
    data: row.data as Record<string, unknown>,
  });
}
