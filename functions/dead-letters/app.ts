import { knativeDeadLetter, recordDeadLetter } from '../../shared/events/dead-letters';
import { readCloudEvent } from '../../shared/events/incoming';
import { type AppOptions, createApp } from '../../shared/http/app';
import type { DeadLettersDeps } from './deps';

export const operations = [];

/**
 * The Knative dead-letter sink: Triggers send events here once their retries are spent, with the failure in the
 * knativeerror* extensions. They land in the same table the local dispatcher writes, so `npm run dead-letters`
 * lists and replays both.
 */
export function createDeadLettersApp(deps: DeadLettersDeps, app: AppOptions) {
  const a = createApp({
    ...app,
    name: 'dead-letters',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post('/events', async (c) => {
    const letter = knativeDeadLetter(await readCloudEvent(c.req));
    await recordDeadLetter(deps, letter);
    const { id: eventId, type } = letter.event;
    c.var.log.warn({ eventId, type, dest: letter.consumer }, 'event dead-lettered by Knative');
    return c.json({ status: 'stored' }, 200);
  });
  return a;
}
