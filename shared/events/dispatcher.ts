import {
  AckPolicy,
  type ConsumerMessages,
  DeliverPolicy,
  type JsMsg,
  jetstream,
  jetstreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection, nanos } from '@nats-io/transport-node';
import { CloudEvent, HTTP } from 'cloudevents';
import type { Db } from '../db';
import type { Logger } from '../log';
import { STREAM, SUBJECT_PREFIX } from './cloudevents';
import { recordDeadLetter, replayDeadLetter } from './dead-letters';
import type { Publish } from './relay';
import { DEFAULT_DELIVERY, type DeliveryPolicy, type TriggerSpec } from './triggers';

export type Deliver = (req: Request) => Promise<Response>;
export type Trigger = TriggerSpec & { deliver: Deliver };
type Event = CloudEvent<Record<string, unknown>>;

/** Each call names the trigger (`consumer`): a bounded set, the trigger table's names. */
export type DispatcherMetrics = {
  delivered: (consumer: string) => void;
  retried: (consumer: string) => void;
  deadLettered: (consumer: string) => void;
};

type Outcome = { kind: 'ack' } | { kind: 'retry'; error: string } | { kind: 'dead'; error: string };

/** One delivery the way Knative's dispatcher does it: binary-mode CloudEvent, 2xx ack, 4xx dead, 5xx/timeout retry. */
export async function deliverOnce(trigger: Trigger, event: Event, timeoutMs: number): Promise<Outcome> {
  const message = HTTP.binary(event);
  // The event's trace as a plain header too (as Knative's dispatcher sends it), beside its `ce-traceparent`.
  const headers = message.headers as Record<string, string>;
  if (typeof event.traceparent === 'string') headers.traceparent = event.traceparent;
  try {
    const res = await trigger.deliver(
      new Request(new URL(trigger.path, `http://${trigger.function}`), {
        method: 'POST',
        headers,
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

/** Deliveries in flight per trigger, as Knative's dispatcher bounds them: enough that one stuck call waits alone. */
export const DEFAULT_CONCURRENCY = 8;

/** A counting semaphore: `acquire` resolves once one of `n` slots is free, in arrival order. */
function slots(n: number) {
  let free = n;
  const waiting: (() => void)[] = [];
  return {
    acquire: (): Promise<void> => {
      if (free > 0) {
        free--;
        return Promise.resolve();
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release: () => {
      const next = waiting.shift();
      if (next) next();
      else free++;
    },
  };
}

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
  /** Deliveries in flight per trigger (DEFAULT_CONCURRENCY). */
  concurrency?: number;
}): Dispatcher & { ready: Promise<void> } {
  const policy = opts.policy ?? DEFAULT_DELIVERY;
  const concurrency = opts.concurrency ?? DEFAULT_CONCURRENCY;
  const inFlight = new Map(opts.triggers.map((t) => [t.name, slots(concurrency)]));
  const byName = new Map(opts.triggers.map((t) => [t.name, t]));
  const timers = new Set<NodeJS.Timeout>();
  const subscriptions: ConsumerMessages[] = [];
  let stopped = false;

  const deadLetter = async (trigger: Trigger, event: Event, attempts: number, error: string) => {
    opts.metrics?.deadLettered(trigger.name);
    opts.log.warn(
      { consumer: trigger.name, eventId: event.id, type: event.type, attempts, error },
      'event dead-lettered',
    );
    await recordDeadLetter(opts, { consumer: trigger.name, event, attempts, lastError: error });
  };

  const bounded = async (trigger: Trigger, event: Event) => {
    const slot = inFlight.get(trigger.name)!;
    await slot.acquire();
    try {
      return await deliverOnce(trigger, event, policy.timeoutMs);
    } finally {
      slot.release();
    }
  };

  const attemptLocally = (trigger: Trigger, event: Event, attempt: number) => {
    void bounded(trigger, event).then(async (outcome) => {
      if (outcome.kind === 'ack') return opts.metrics?.delivered(trigger.name);
      if (outcome.kind === 'dead' || attempt >= policy.maxAttempts)
        return deadLetter(trigger, event, attempt, outcome.error);
      opts.metrics?.retried(trigger.name);
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
    // No more buffered than can be in flight: a message waiting in this process still ages toward ack_wait.
    const messages = await consumer.consume({ max_messages: concurrency });
    subscriptions.push(messages);
    const slot = inFlight.get(trigger.name)!;
    const handle = async (m: JsMsg) => {
      let event: Event;
      try {
        event = new CloudEvent(m.json<Record<string, unknown>>() as never);
      } catch {
        return m.term();
      }
      if (!matches(trigger, event.type)) return m.ack();
      const attempt = m.info.deliveryCount;
      const outcome = await deliverOnce(trigger, event, policy.timeoutMs);
      if (outcome.kind === 'ack') {
        opts.metrics?.delivered(trigger.name);
        m.ack();
      } else if (outcome.kind === 'dead' || attempt >= policy.maxAttempts) {
        await deadLetter(trigger, event, attempt, outcome.error);
        m.term();
      } else {
        opts.metrics?.retried(trigger.name);
        m.nak(backoff(policy, attempt));
      }
    };
    void (async () => {
      for await (const m of messages) {
        await slot.acquire();
        void handle(m)
          .catch((err) => opts.log.warn({ err: (err as Error).message }, 'event delivery failed'))
          .finally(slot.release);
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
    replay: (id) =>
      replayDeadLetter(opts, {
        id,
        deliver: async (letter) => {
          const trigger = byName.get(letter.consumer);
          if (!trigger) return false;
          const outcome = await deliverOnce(trigger, new CloudEvent(letter.event as never), policy.timeoutMs);
          return outcome.kind === 'ack';
        },
      }),
    stop: async () => {
      stopped = true;
      for (const t of timers) clearTimeout(t);
      for (const s of subscriptions) s.stop();
    },
  };
}
