import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { CloudEvent, HTTP } from 'cloudevents';
import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { deadLetters } from '../db/schema';
import type { Logger } from '../log';
import { STREAM, SUBJECT_PREFIX } from './cloudevents';
import type { Publish } from './relay';
import { DEFAULT_DELIVERY, type DeliveryPolicy, type TriggerSpec } from './triggers';

export type Deliver = (req: Request) => Promise<Response>;
export type Trigger = TriggerSpec & { deliver: Deliver };
type Event = CloudEvent<Record<string, unknown>>;

export type DispatcherMetrics = { delivered: () => void; retried: () => void; deadLettered: () => void };

type Outcome = { kind: 'ack' } | { kind: 'retry'; error: string } | { kind: 'dead'; error: string };

/** One delivery the way Knative's dispatcher does it: binary-mode CloudEvent, 2xx ack, 4xx dead, 5xx/timeout retry. */
export async function deliverOnce(trigger: Trigger, event: Event, timeoutMs: number): Promise<Outcome> {
  const message = HTTP.binary(event);
  try {
    const res = await trigger.deliver(
      new Request(new URL(trigger.path, `http://${trigger.function}`), {
        method: 'POST',
        headers: message.headers as Record<string, string>,
        body: message.body as string,
        signal: AbortSignal.timeout(timeoutMs),
      }),
    );
    if (res.ok) return { kind: 'ack' };
    const text = (await res.text()).slice(0, 300);
    return res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429
      ? { kind: 'dead', error: `${res.status} ${text}` }
      : { kind: 'retry', error: `${res.status} ${text}` };
  } catch (err) {
    return { kind: 'retry', error: (err as Error).message };
  }
}

/** `*` subscribes to every type (the bridge into the Knative broker). */
const matches = (t: TriggerSpec, type: string) => t.types.includes('*') || t.types.includes(type);

const backoff = (policy: DeliveryPolicy, attempt: number) => policy.backoffMs * 2 ** (attempt - 1);

export type Dispatcher = {
  /** In-process mode: the relay's publisher. */
  publish: Publish;
  /** Re-delivers a dead letter to its consumer; resolves true once it was accepted. */
  replay: (deadLetterId: number) => Promise<boolean>;
  stop: () => Promise<void>;
};

export function createDispatcher(opts: {
  db: Db;
  log: Logger;
  triggers: Trigger[];
  policy?: DeliveryPolicy;
  metrics?: DispatcherMetrics;
  /** With NATS: durable JetStream consumers, one per trigger. Without: deliveries scheduled in this process. */
  nats?: NatsConnection;
}): Dispatcher & { ready: Promise<void> } {
  const policy = opts.policy ?? DEFAULT_DELIVERY;
  const byName = new Map(opts.triggers.map((t) => [t.name, t]));
  const timers = new Set<NodeJS.Timeout>();
  const subscriptions: ConsumerMessages[] = [];
  let stopped = false;

  const deadLetter = async (trigger: Trigger, event: Event, attempts: number, error: string) => {
    opts.metrics?.deadLettered();
    opts.log.warn(
      { consumer: trigger.name, eventId: event.id, type: event.type, attempts, error },
      'event dead-lettered',
    );
    await opts.db.insert(deadLetters).values({
      consumer: trigger.name,
      eventId: event.id,
      type: event.type,
      event: event.toJSON(),
      attempts,
      lastError: error,
    });
  };

  const attemptLocally = (trigger: Trigger, event: Event, attempt: number) => {
    void deliverOnce(trigger, event, policy.timeoutMs).then(async (outcome) => {
      if (outcome.kind === 'ack') return opts.metrics?.delivered();
      if (outcome.kind === 'dead' || attempt >= policy.maxAttempts)
        return deadLetter(trigger, event, attempt, outcome.error);
      opts.metrics?.retried();
      if (stopped) return;
      const t = setTimeout(
        () => {
          timers.delete(t);
          attemptLocally(trigger, event, attempt + 1);
        },
        backoff(policy, attempt),
      );
      timers.add(t);
    });
  };

  const consume = async (nc: NatsConnection, trigger: Trigger) => {
    const jsm = await jetstreamManager(nc);
    const durable = `hexabase-${trigger.name}`;
    await jsm.consumers
      .add(STREAM, {
        durable_name: durable,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        filter_subject: `${SUBJECT_PREFIX}>`,
        max_deliver: policy.maxAttempts,
        ack_wait: nanos(policy.timeoutMs * 2),
      })
      .catch(async (err) => {
        if (!/already in use|exists/i.test(String(err))) throw err;
      });
    const consumer = await jetstream(nc).consumers.get(STREAM, durable);
    const messages = await consumer.consume({ max_messages: 16 });
    subscriptions.push(messages);
    void (async () => {
      for await (const m of messages) {
        let event: Event;
        try {
          event = new CloudEvent(m.json<Record<string, unknown>>() as never);
        } catch {
          m.term();
          continue;
        }
        if (!matches(trigger, event.type)) {
          m.ack();
          continue;
        }
        const attempt = m.info.deliveryCount;
        const outcome = await deliverOnce(trigger, event, policy.timeoutMs);
        if (outcome.kind === 'ack') {
          opts.metrics?.delivered();
          m.ack();
        } else if (outcome.kind === 'dead' || attempt >= policy.maxAttempts) {
          await deadLetter(trigger, event, attempt, outcome.error);
          m.term();
        } else {
          opts.metrics?.retried();
          m.nak(backoff(policy, attempt));
        }
      }
    })();
  };

  const ready = opts.nats
    ? Promise.all(opts.triggers.map((t) => consume(opts.nats!, t))).then(() => {})
    : Promise.resolve();

  return {
    ready,
    publish: async (event) => {
      if (opts.nats) throw new Error('with NATS, events are published to JetStream, not to the dispatcher');
      for (const t of opts.triggers) if (matches(t, event.type)) attemptLocally(t, event, 1);
    },
    replay: async (id) => {
      const [dl] = await opts.db.select().from(deadLetters).where(eq(deadLetters.id, id));
      const trigger = dl && byName.get(dl.consumer);
      if (!dl || !trigger || dl.replayedAt) return false;
      const outcome = await deliverOnce(trigger, new CloudEvent(dl.event as never), policy.timeoutMs);
      if (outcome.kind !== 'ack') return false;
      await opts.db.update(deadLetters).set({ replayedAt: new Date() }).where(eq(deadLetters.id, id));
      return true;
    },
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const s of subscriptions) s.stop();
    },
  };
}
