import { type Context, context, SpanKind, trace } from '@opentelemetry/api';
import type { CloudEventV1 } from 'cloudevents';
import type { Handler } from 'hono';
import type * as z from 'zod';
import type { Db } from '../db';
import { processedEvents } from '../db/schema';
import { BadRequestError } from '../errors';
import type { AppEnv } from '../http/types';
import { annotateRequest, continueTrace } from '../telemetry/context';
import { inSpan } from '../telemetry/spans';
import { readCloudEvent } from './incoming';

export type ReceivedEvent<T, Type extends string = string> = {
  id: string;
  type: Type;
  subject: string | undefined;
  data: T;
};

/** A type a handler accepts and the schema of its data: catalogue entries (./catalog.ts) are exactly this. */
export type Accepted = { type: string; data: z.ZodType };

/** One variant per accepted type, so a handler narrows `data` by checking `type`. */
export type ReceivedOf<A extends Accepted> = A extends Accepted
  ? ReceivedEvent<z.infer<A['data']>, A['type']>
  : never;

/**
 * A Hono handler that accepts CloudEvents (binary and structured mode), validates `data` with zod and runs the
 * handler at most once per event: the inbox row (consumer, event id) is written in the handler's transaction,
 * so a redelivery after a crash either finds the row (200, nothing done) or finds nothing done at all.
 * Answers: 200 handled or duplicate; 400 malformed (the dispatcher dead-letters it); 5xx retry.
 * The handler runs in a consumer span (`process {type}`) of the event's trace, and the lines it logs carry the
 * workspace and organization its data names (`wsId`, `orgId`).
 */
export function cloudEventHandler<A extends Accepted>(opts: {
  db: Db;
  consumer: string;
  /** The types it handles, each with the schema its data is validated with before the handler runs. */
  accepts: readonly A[];
  handle: (tx: Db, event: ReceivedOf<A>) => Promise<void>;
  /**
   * false for level-triggered handlers (reconcilers) that are idempotent by nature and must not hold a transaction
   * open while they talk to other systems; they get the database itself and no inbox row is written.
   */
  once?: boolean;
}): Handler<AppEnv> {
  return async (c) => {
    const event = await readCloudEvent(c.req);
    const accepted = opts.accepts.find((a) => a.type === event.type);
    if (!accepted) {
      throw new BadRequestError('UNEXPECTED_EVENT_TYPE', `${opts.consumer} does not handle ${event.type}.`);
    }
    const parsed = accepted.data.safeParse(event.data);
    if (!parsed.success)
      throw new BadRequestError('INVALID_EVENT_DATA', parsed.error.issues.map((i) => i.message).join('; '));
    const received = {
      id: event.id,
      type: event.type,
      subject: event.subject,
      data: parsed.data,
    } as ReceivedOf<A>;
    const { workspaceId, organizationId } = parsed.data as {
      workspaceId?: unknown;
      organizationId?: unknown;
    };
    annotateRequest({
      ...(typeof workspaceId === 'string' ? { wsId: workspaceId } : {}),
      ...(typeof organizationId === 'string' ? { orgId: organizationId } : {}),
    });
    return inSpan(
      `process ${event.type}`,
      {
        kind: SpanKind.CONSUMER,
        parent: eventTrace(event),
        attributes: {
          'messaging.operation.type': 'process',
          'messaging.consumer.group.name': opts.consumer,
          'cloudevents.event_id': event.id,
          'cloudevents.event_type': event.type,
          'cloudevents.event_source': event.source,
        },
      },
      async () => {
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
      },
    );
  };
}

/**
 * Where an event's handling belongs: below the delivery's server span when that continued the event's trace (the
 * edge reads `traceparent`, or a binary-mode `ce-traceparent`), else (structured mode, or a broker that started a
 * trace of its own) in the event's trace, with the request's scope kept for the log lines.
 */
function eventTrace(event: CloudEventV1<unknown>): Context {
  const active = context.active();
  const within = continueTrace(event.traceparent, active);
  return trace.getSpanContext(within)?.traceId === trace.getSpanContext(active)?.traceId ? active : within;
}
