import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { STREAM, SUBJECT_PREFIX, subjectFor } from './cloudevents';
import type { Publish } from './relay';

/** The stream every event lives in; the 2-minute duplicate window is what makes re-publishing after a crash safe. */
export async function ensureStream(nc: NatsConnection): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const config = {
    name: STREAM,
    subjects: [`${SUBJECT_PREFIX}>`],
    storage: StorageType.File,
    duplicate_window: nanos(120_000),
    max_age: nanos(7 * 24 * 3600_000),
  };
  try {
    await jsm.streams.info(STREAM);
  } catch {
    await jsm.streams.add(config);
  }
}

/** Structured-mode CloudEvents on `hexabase.events.{type}`, Nats-Msg-Id = event id; resolves on the stream's ack. */
export function jetStreamPublisher(nc: NatsConnection): Publish {
  const js = jetstream(nc);
  return async (event) => {
    await js.publish(subjectFor(event.type), JSON.stringify(event.toJSON()), {
      msgID: event.id,
      timeout: 5000,
    });
  };
}
