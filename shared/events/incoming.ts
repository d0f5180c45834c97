import { type CloudEventV1, HTTP } from 'cloudevents';
import type { HonoRequest } from 'hono';
import { BadRequestError } from '../errors';

/**
 * The one CloudEvent a request carries, in binary or structured mode. Anything else is a 400: a dispatcher (local
 * or Knative) dead-letters a 4xx instead of retrying it, since sending the same bytes again cannot make them an
 * event. The body is read through Hono, which already holds it (shared/http's size limit read it first).
 */
export async function readCloudEvent(req: HonoRequest): Promise<CloudEventV1<unknown>> {
  let event: CloudEventV1<unknown> | CloudEventV1<unknown>[];
  try {
    event = HTTP.toEvent({ headers: Object.fromEntries(req.raw.headers), body: await req.text() });
  } catch (err) {
    throw new BadRequestError('INVALID_CLOUDEVENT', `Not a CloudEvent: ${(err as Error).message}`, {
      cause: err,
    });
  }
  if (Array.isArray(event))
    throw new BadRequestError('INVALID_CLOUDEVENT', 'Batched events are not accepted.');
  return event;
}
