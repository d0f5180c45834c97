import { count, isNull, sql } from 'drizzle-orm';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Db } from '../db';
import { deadLetters, outbox } from '../db/schema';
import type { DispatcherMetrics } from '../events/dispatcher';
import { registered } from './metric';

export type EventMetrics = { onPublished: (n: number) => void; dispatcher: DispatcherMetrics };

/**
 * The event pipeline's metrics, for a process that relays the outbox (the relay function, `npm start`'s backbone)
 * and dispatches deliveries. `consumers` are the trigger names this process delivers for: their series start at 0,
 * so the first retry or dead letter is an increase `rate()` and `increase()` can see, not a series appearing.
 * The two gauges read the database, so every replica exports the same value (take `max`, never `sum`).
 */
export function registerEventMetrics(
  registry: Registry,
  db: Db,
  opts: { consumers: readonly string[] },
): EventMetrics {
  const counter = (name: string, help: string, labelNames: string[]) =>
    registered(registry, name, () => new Counter({ name, help, labelNames, registers: [registry] }));
  const published = counter('hexabase_events_published_total', 'Outbox events published to the broker', []);
  const byConsumer = {
    delivered: counter('hexabase_events_delivered_total', 'Events delivered to a consumer (2xx)', [
      'consumer',
    ]),
    retried: counter('hexabase_events_retried_total', 'Deliveries that will be retried', ['consumer']),
    deadLettered: counter('hexabase_events_dead_lettered_total', 'Events given up on and dead-lettered', [
      'consumer',
    ]),
  };
  for (const consumer of opts.consumers) for (const c of Object.values(byConsumer)) c.inc({ consumer }, 0);
  registered(
    registry,
    'hexabase_outbox_lag_seconds',
    () =>
      new Gauge({
        name: 'hexabase_outbox_lag_seconds',
        help: 'Age of the oldest unpublished outbox event (0 when none waits)',
        registers: [registry],
        async collect() {
          const [row] = await db
            .select({
              age: sql<number>`coalesce(extract(epoch from now() - min(${outbox.createdAt})), 0)::float`,
            })
            .from(outbox)
            .where(isNull(outbox.sentAt));
          this.set(row?.age ?? 0);
        },
      }),
  );
  registered(
    registry,
    'hexabase_dead_letters_open',
    () =>
      new Gauge({
        // Knative's dead letters reach the table through functions/dead-letters and no counter: this sees both.
        name: 'hexabase_dead_letters_open',
        help: 'Dead letters not replayed yet, from either dispatcher (npm run dead-letters lists them)',
        registers: [registry],
        async collect() {
          const [row] = await db
            .select({ n: count() })
            .from(deadLetters)
            .where(isNull(deadLetters.replayedAt));
          this.set(row?.n ?? 0);
        },
      }),
  );
  return {
    onPublished: (n) => published.inc(n),
    dispatcher: {
      delivered: (consumer) => byConsumer.delivered.inc({ consumer }),
      retried: (consumer) => byConsumer.retried.inc({ consumer }),
      deadLettered: (consumer) => byConsumer.deadLettered.inc({ consumer }),
    },
  };
}
