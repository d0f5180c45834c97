import { and, isNotNull, lt, sql } from 'drizzle-orm';
import type { Db } from '../db';
import { outbox } from '../db/schema';

/**
 * How long a published outbox row is kept. Once sent, a row has done its job: the broker dedupes by event id for
 * minutes, and a dead letter keeps its own copy of the event. A day leaves time to look at what was sent; beyond
 * it the ticks alone (a usage sample request per workspace every 30 s) would grow the table without bound.
 */
export const OUTBOX_RETENTION_MS = 86_400_000;
const BATCH = 5000;

/** Deletes published rows older than the retention, a batch per statement; resolves with how many went. */
export async function pruneOutbox(db: Db, opts: { now?: Date; retentionMs?: number } = {}): Promise<number> {
  const before = new Date((opts.now ?? new Date()).getTime() - (opts.retentionMs ?? OUTBOX_RETENTION_MS));
  let removed = 0;
  for (;;) {
    const gone = await db
      .delete(outbox)
      .where(
        sql`${outbox.seq} in (${db
          .select({ seq: outbox.seq })
          .from(outbox)
          .where(and(isNotNull(outbox.sentAt), lt(outbox.sentAt, before)))
          .limit(BATCH)})`,
      )
      .returning({ seq: outbox.seq });
    removed += gone.length;
    if (gone.length < BATCH) return removed;
  }
}
