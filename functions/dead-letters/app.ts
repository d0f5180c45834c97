import { HTTP } from 'cloudevents';
import type { Db } from '../../shared/db';
import { deadLetters } from '../../shared/db/schema';
import { BadRequestError } from '../../shared/errors';
import { type CreateAppOptions, createApp } from '../../shared/http/app';

export const operations = [];

/**
 * The Knative dead-letter sink: Triggers send events here once their retries are spent, with the failure in the
 * knativeerror* extensions. They land in the same table the local dispatcher writes, so `npm run dead-letters`
 * lists and replays both.
 */
export function createDeadLettersApp(deps: { db: Db }, app: Omit<CreateAppOptions, 'name'>) {
  const a = createApp({
    ...app,
    name: 'dead-letters',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post('/events', async (c) => {
    let event: ReturnType<typeof HTTP.toEvent>;
    try {
      event = HTTP.toEvent({ headers: Object.fromEntries(c.req.raw.headers), body: await c.req.text() });
    } catch (err) {
      throw new BadRequestError('INVALID_CLOUDEVENT', `Not a CloudEvent: ${(err as Error).message}`);
    }
    if (Array.isArray(event))
      throw new BadRequestError('INVALID_CLOUDEVENT', 'Batched events are not accepted.');
    const ext = event as unknown as Record<string, unknown>;
    const errorData =
      typeof ext.knativeerrordata === 'string' ? Buffer.from(ext.knativeerrordata, 'base64').toString() : '';
    await deps.db.insert(deadLetters).values({
      consumer: String(ext.knativeerrordest ?? 'unknown'),
      eventId: event.id,
      type: event.type,
      event: JSON.parse(JSON.stringify(event)),
      attempts: 0, // Knative does not report the count; its Trigger's retry setting applies
      lastError: `${ext.knativeerrorcode ?? ''} ${errorData}`.trim().slice(0, 500) || null,
    });
    c.var.log.warn(
      { eventId: event.id, type: event.type, dest: ext.knativeerrordest },
      'event dead-lettered by Knative',
    );
    return c.json({ status: 'stored' }, 200);
  });
  return a;
}
