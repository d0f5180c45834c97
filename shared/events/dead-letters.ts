import type { CloudEventV1 } from 'cloudevents';
import { desc, eq, isNull } from 'drizzle-orm';
import type { Db } from '../db';
import { deadLetters } from '../db/schema';

/**
 * Events whose delivery was given up on. Both dispatchers write here: the local one (dispatcher.ts) and Knative's,
 * through the dead-letter sink (functions/dead-letters). One table and these few functions, so that
 * `npm run dead-letters` lists and replays both alike.
 */
export type DeadLetter = typeof deadLetters.$inferSelect;

export type DeadLetterInput = {
  /** The trigger (local) or the subscriber's address (Knative) that refused the event. */
  consumer: string;
  event: CloudEventV1<unknown>;
  attempts: number;
  lastError: string | null;
};

/** Stored as the event's JSON form, which is what a replay turns back into the same CloudEvent (same id). */
export async function recordDeadLetter(ctx: { db: Db }, letter: DeadLetterInput): Promise<void> {
  await ctx.db.insert(deadLetters).values({
    consumer: letter.consumer,
    eventId: letter.event.id,
    type: letter.event.type,
    event: JSON.parse(JSON.stringify(letter.event)),
    attempts: letter.attempts,
    lastError: letter.lastError,
  });
}

/**
 * What Knative's dispatcher says about an event it gave up on, in extensions: the subscriber it failed to reach
 * (`knativeerrordest`), its last status (`knativeerrorcode`) and answer (`knativeerrordata`, base64). It does not
 * say how often it tried (the Trigger's retry setting applies), so attempts is 0.
 */
export function knativeDeadLetter(event: CloudEventV1<unknown>): DeadLetterInput {
  const ext = event as unknown as Record<string, unknown>;
  const errorData =
    typeof ext.knativeerrordata === 'string' ? Buffer.from(ext.knativeerrordata, 'base64').toString() : '';
  return {
    consumer: String(ext.knativeerrordest ?? 'unknown'),
    event,
    attempts: 0,
    lastError: `${ext.knativeerrorcode ?? ''} ${errorData}`.trim().slice(0, 500) || null,
  };
}

/** Not yet replayed, newest first: what an operator still has to look at. */
export async function openDeadLetters(ctx: { db: Db }, input: { limit: number }): Promise<DeadLetter[]> {
  return ctx.db
    .select()
    .from(deadLetters)
    .where(isNull(deadLetters.replayedAt))
    .orderBy(desc(deadLetters.createdAt))
    .limit(input.limit);
}

/**
 * Hands a dead letter to `deliver` and marks it replayed once delivery succeeded. Unknown and already replayed
 * letters are not delivered: a replay is an operator's one deliberate retry, and the consumer's inbox keeps a
 * second one harmless anyway.
 */
export async function replayDeadLetter(
  ctx: { db: Db },
  input: { id: number; deliver: (letter: DeadLetter) => Promise<boolean> },
): Promise<boolean> {
  const [letter] = await ctx.db.select().from(deadLetters).where(eq(deadLetters.id, input.id));
  if (!letter || letter.replayedAt || !(await input.deliver(letter))) return false;
  await ctx.db.update(deadLetters).set({ replayedAt: new Date() }).where(eq(deadLetters.id, input.id));
  return true;
}
