import { randomUUID } from 'node:crypto';
import type { Db } from '../db';
import { outbox } from '../db/schema';
import { activeTraceparent } from '../telemetry/context';
import type { EventData, EventOf, EventType } from './catalog';

/** An event of the catalogue: its `source` is one of the type's producers and its `data` fits the type's schema. */
export type OutboxEvent<T extends EventType = EventType> = {
  type: T;
  /** The function that emits it: CloudEvents `source` becomes `/hexabase/{function}`. */
  source: EventOf<T>['producers'][number];
  /** The resource id the event is about. */
  subject: string;
  data: EventData<T>;
};

/**
 * Call with the transaction that makes the change: the event exists if and only if the change does. The row keeps
 * the active span's `traceparent` (the request that made the change), so the work the event causes joins its trace.
 */
export function enqueue<T extends EventType>(tx: Db, event: OutboxEvent<T>): Promise<string> {
  return insert(tx, event);
}

/** Events per transaction of a fan-out: one over many workspaces never holds one long transaction. */
const FAN_OUT_BATCH = 500;

/**
 * A fan-out: one event per id (a tick's per-workspace requests), written in transactions of a bounded number of
 * rows. Each batch commits on its own; a redone fan-out only asks again, which level-triggered consumers tolerate.
 */
export async function enqueueEach<T extends EventType>(
  db: Db,
  ids: string[],
  event: (id: string) => OutboxEvent<T>,
): Promise<void> {
  for (let i = 0; i < ids.length; i += FAN_OUT_BATCH)
    await db.transaction(async (tx) => {
      for (const id of ids.slice(i, i + FAN_OUT_BATCH)) await insert(tx, event(id));
    });
}

/**
 * Any `ai.hexabase.…` type, catalogued or not: for the backbone's own transport tests and benchmarks, which
 * exercise delivery with types no product code emits.
 */
export function enqueueUncatalogued(
  tx: Db,
  event: { type: `ai.hexabase.${string}`; source: string; subject: string; data: Record<string, unknown> },
): Promise<string> {
  return insert(tx, event);
}

async function insert(tx: Db, event: { type: string; source: string; subject: string; data: unknown }) {
  const id = randomUUID();
  await tx.insert(outbox).values({
    id,
    type: event.type,
    source: `/hexabase/${event.source}`,
    subject: event.subject,
    data: event.data,
    traceparent: activeTraceparent() ?? null,
  });
  return id;
}
