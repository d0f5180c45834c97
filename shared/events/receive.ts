import { HTTP } from 'cloudevents';
import type { Handler } from 'hono';
import type * as z from 'zod';
import type { Db } from '../db';
import { processedEvents } from '../db/schema';
import { BadRequestError } from '../errors';
import type { AppEnv } from '../http/types';

export type ReceivedEvent<T> = { id: string; type: string; subject: string | undefined; data: T };

/**
 * A Hono handler that accepts CloudEvents (binary and structured mode), validates `data` with zod and runs the
 * handler at most once per event: the inbox row (consumer, event id) is written in the handler's transaction,
 * so a redelivery after a crash either finds the row (200, nothing done) or finds nothing done at all.
 * Answers: 200 handled or duplicate; 400 malformed (the dispatcher dead-letters it); 5xx retry.
 */
export function cloudEventHandler<T>(opts: {
  db: Db;
  consumer: string;
  types: string[];
  schema: z.ZodType<T>;
  handle: (tx: Db, event: ReceivedEvent<T>) => Promise<void>;
  /**
   * false for level-triggered handlers (reconcilers) that are idempotent by nature and must not hold a transaction
   * open while they talk to other systems; they get the database itself and no inbox row is written.
   */
  once?: boolean;
}): Handler<AppEnv> {
  return async (c) => {
    let event: ReturnType<typeof HTTP.toEvent>;
    try {
      event = HTTP.toEvent({ headers: Object.fromEntries(c.req.raw.headers), body: await c.req.text() });
    } catch (err) {
      throw new BadRequestError('INVALID_CLOUDEVENT', `Not a CloudEvent: ${(err as Error).message}`);
    }
    if (Array.isArray(event))
      throw new BadRequestError('INVALID_CLOUDEVENT', 'Batched events are not accepted.');
    if (!opts.types.includes(event.type)) {
      throw new BadRequestError('UNEXPECTED_EVENT_TYPE', `${opts.consumer} does not handle ${event.type}.`);
    }
    const parsed = opts.schema.safeParse(event.data);
    if (!parsed.success)
      throw new BadRequestError('INVALID_EVENT_DATA', parsed.error.issues.map((i) => i.message).join('; '));
    const received = { id: event.id, type: event.type, subject: event.subject, data: parsed.data };
    if (opts.once === false) {
      await opts.handle(opts.db, received);
      return c.json({ status: 'handled' }, 200);
    }
    const handled = await opts.db.transaction(async (tx) => {
      const fresh = await tx
        .insert(processedEvents)
        .values({ consumer: opts.consumer, eventId: event.id })
        .onConflictDoNothing()
        .returning();
      if (fresh.length === 0) return false;
      await opts.handle(tx, received);
      return true;
    });
    c.var.log.info(
      { consumer: opts.consumer, eventId: event.id, type: event.type, duplicate: !handled },
      'event received',
    );
    return c.json({ status: handled ? 'handled' : 'duplicate' }, 200);
  };
}
