import type { Db } from '../db';
import type { Logger } from '../log';
import { EVENTS } from './catalog';
import { enqueue } from './outbox';

export type Schedule = { reconcileSeconds?: number; usageSeconds: number };

/**
 * The periodic ticks, written to the outbox like any event: the reconcile tick (the safety net of every worker)
 * and the usage tick (the sampler's cadence, finer than a Knative PingSource's minute). Locally the event
 * backbone runs it; in a cluster the always-on relay runs the usage tick and a PingSource the reconcile tick
 * (without Knative, the relay runs both, through the backbone).
 * Several schedulers only mean extra ticks, which every consumer of a tick tolerates.
 */
export function startScheduler(deps: { db: Db; log: Logger }, schedule: Schedule): () => void {
  const every = (seconds: number, type: typeof EVENTS.reconcileTick.type | typeof EVENTS.usageTick.type) => {
    const timer = setInterval(
      () =>
        void enqueue(deps.db, {
          type,
          source: 'scheduler',
          subject: type === EVENTS.usageTick.type ? 'usage' : 'reconcile',
          data: { at: new Date().toISOString() },
        }).catch((err) => deps.log.warn({ err: (err as Error).message, type }, 'tick not written')),
      seconds * 1000,
    );
    timer.unref();
    return timer;
  };
  const timers = [
    ...(schedule.reconcileSeconds ? [every(schedule.reconcileSeconds, EVENTS.reconcileTick.type)] : []),
    every(schedule.usageSeconds, EVENTS.usageTick.type),
  ];
  return () => {
    for (const t of timers) clearInterval(t);
  };
}
