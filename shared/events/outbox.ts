import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { outbox } from '../db/schema';

export type OutboxEvent = {
  /** CloudEvents `type`, always `ai.hexabase.…`. */
  type: `ai.hexabase.${string}`;
  /** The function that emits it: CloudEvents `source` becomes `/hexabase/{function}`. */
  source: string;
  /** The resource id the event is about. */
  subject: string;
  /** Ids only, never secrets: handlers reload state from the database. */
  data: Record<string, string | number | boolean | null>;
};

/** Call with the transaction that makes the change: the event exists if and only if the change does. */
export async function enqueue(tx: Db, event: OutboxEvent): Promise<string> {
  const id = randomUUID();
  await tx.insert(outbox).values({
    id,
    type: event.type,
    source: `/hexabase/${event.source}`,
    subject: event.subject,
    data: event.data,
  });
  return id;
}
