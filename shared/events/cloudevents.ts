import { CloudEvent } from 'cloudevents';
import type { outbox } from '../db/schema';

export const STREAM = 'HEXABASE_EVENTS';
export const SUBJECT_PREFIX = 'hexabase.events.';

export const subjectFor = (type: string) => `${SUBJECT_PREFIX}${type}`;

/**
 * An outbox row as the CloudEvent it announces (CONTRACT: specversion 1.0, JSON data, subject = resource id). The
 * trace of the change that wrote it travels as the Distributed Tracing extension's `traceparent`: inside the JSON in
 * NATS (structured mode), as `ce-traceparent` on a binary-mode delivery, kept by Knative's broker.
 */
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
    ...(row.traceparent ? { traceparent: row.traceparent } : {}),
  });
}
