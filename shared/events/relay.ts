import { SpanKind } from '@opentelemetry/api';
import type { CloudEvent } from 'cloudevents';
import { asc, inArray, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db';
import { outbox } from '../db/schema';
import type { Logger } from '../log';
import { continueTrace } from '../telemetry/context';
import { inSpan } from '../telemetry/spans';
import { toCloudEvent } from './cloudevents';
import { pruneOutbox } from './retention';

/** Publishes one event and resolves only once it is durably accepted (a JetStream ack, or the local dispatcher). */
export type Publish = (event: CloudEvent<Record<string, unknown>>) => Promise<void>;

export type RelayOptions = {
  database: Database;
  publish: Publish;
  log: Logger;
  batchSize?: number;
  /** Fallback when a NOTIFY is missed (and the cadence of retries while the broker is down). */
  pollMs?: number;
  onPublished?: (n: number) => void;
  /** How often the relay deletes published rows past their retention (retention.ts); default hourly. */
  pruneEveryMs?: number;
};

export type Relay = {
  /** Publishes what is pending now; resolves with how many were published. */
  drain: () => Promise<number>;
  start: () => Promise<void>;
  stop: () => Promise<void>;
};

/**
 * Transactional outbox → broker. Rows are claimed with FOR UPDATE SKIP LOCKED, so several relays share the work
 * without publishing a row twice at the same time; a row is marked sent only after its publish is acknowledged.
 * A relay killed between the ack and the commit re-publishes that row later: the broker drops the duplicate by
 * its Nats-Msg-Id (= event id), and handlers are idempotent besides.
 */
export function createRelay(opts: RelayOptions): Relay {
  const db = opts.database.db;
  const batchSize = opts.batchSize ?? 100;
  let running = false;
  let prunedAt = 0;
  let dirty = false;
  let wake: (() => void) | undefined;
  let loop: Promise<void> | undefined;
  let unlisten: (() => Promise<void>) | undefined;

  const batch = async (): Promise<{ published: number; failed: boolean }> =>
    db.transaction(async (tx) => {
      const rows = await tx
        .select()
        .from(outbox)
        .where(isNull(outbox.sentAt))
        .orderBy(asc(outbox.seq))
        .limit(batchSize)
        .for('update', { skipLocked: true });
      // Publishes are pipelined on the one connection (the stream keeps their order); each row is marked sent
      // only if its own publish was acknowledged.
      const results = await Promise.allSettled(rows.map((row) => publishRow(opts.publish, row)));
      const sent = rows.filter((_, i) => results[i]!.status === 'fulfilled').map((r) => r.seq);
      const failed = rows.filter((_, i) => results[i]!.status === 'rejected');
      if (failed.length) {
        const reason = (results.find((r) => r.status === 'rejected') as PromiseRejectedResult)
          .reason as Error;
        await tx
          .update(outbox)
          .set({
            attempts: sql`${outbox.attempts} + 1`,
            lastError: String(reason?.message ?? reason).slice(0, 500),
          })
          .where(
            inArray(
              outbox.seq,
              failed.map((r) => r.seq),
            ),
          );
      }
      if (sent.length) await tx.update(outbox).set({ sentAt: new Date() }).where(inArray(outbox.seq, sent));
      return { published: sent.length, failed: failed.length > 0 };
    });

  const drain = async () => {
    let total = 0;
    for (;;) {
      const { published, failed } = await batch();
      total += published;
      opts.onPublished?.(published);
      if (failed || published < batchSize) return total;
    }
  };

  return {
    drain,
    start: async () => {
      if (running) return;
      running = true;
      const notified = () => {
        dirty = true;
        wake?.();
      };
      unlisten = await opts.database.listen('hexabase_outbox', notified).catch(() => undefined);
      loop = (async () => {
        while (running) {
          dirty = false;
          try {
            await drain();
          } catch (err) {
            opts.log.warn({ err: (err as Error).message }, 'outbox relay: batch failed; retrying');
          }
          if (Date.now() - prunedAt >= (opts.pruneEveryMs ?? 3_600_000)) {
            prunedAt = Date.now();
            await pruneOutbox(db).catch((err) =>
              opts.log.warn({ err: (err as Error).message }, 'outbox relay: pruning sent rows failed'),
            );
          }
          // A notification that arrived during the drain means rows may have committed after its SELECT.
          if (dirty) continue;
          await new Promise<void>((resolve) => {
            const timer = setTimeout(resolve, opts.pollMs ?? 1000);
            wake = () => {
              clearTimeout(timer);
              resolve();
            };
          });
        }
      })();
    },
    stop: async () => {
      running = false;
      wake?.();
      await loop;
      await unlisten?.();
    },
  };
}

/**
 * One row's publish, as a producer span in the trace of the change that wrote it (a row written outside any trace,
 * such as the tick, is published untraced). The event keeps that change's `traceparent`, so deliveries are
 * children of the change, siblings of this span.
 */
function publishRow(publish: Publish, row: typeof outbox.$inferSelect): Promise<void> {
  if (!row.traceparent) return publish(toCloudEvent(row));
  return inSpan(
    `publish ${row.type}`,
    {
      kind: SpanKind.PRODUCER,
      parent: continueTrace(row.traceparent),
      attributes: {
        'messaging.operation.type': 'send',
        'cloudevents.event_id': row.id,
        'cloudevents.event_type': row.type,
      },
    },
    () => publish(toCloudEvent(row)),
  );
}
