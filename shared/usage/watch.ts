import type { Database } from '../db';
import { USAGE_CHANNEL } from './store';

export type UsageWatch = {
  /** Calls `onSample` whenever a sample of the workspace is stored; returns the unsubscribe. */
  subscribe: (workspaceId: string, onSample: () => void) => () => void;
  close: () => Promise<void>;
};

/**
 * One LISTEN connection per process for every open usage stream, opened with the first subscriber and closed with
 * the last: a notification names the workspace whose sample was stored. A stream also re-reads on its own every
 * interval, so a notification lost with a dropped connection delays it, never stops it.
 */
export function usageWatch(database: Pick<Database, 'listen'>): UsageWatch {
  const subscribers = new Map<string, Set<() => void>>();
  let listening: Promise<() => Promise<void>> | undefined;
  const notify = (wsId: string) => {
    for (const fn of subscribers.get(wsId) ?? []) fn();
  };
  const stop = async () => {
    const l = listening;
    listening = undefined;
    await (await l?.catch(() => undefined))?.();
  };
  return {
    subscribe: (wsId, onSample) => {
      listening ??= database.listen(USAGE_CHANNEL, notify);
      listening.catch(() => {
        listening = undefined;
      });
      const set = subscribers.get(wsId) ?? new Set();
      set.add(onSample);
      subscribers.set(wsId, set);
      return () => {
        set.delete(onSample);
        if (set.size === 0) subscribers.delete(wsId);
        if (subscribers.size === 0) void stop();
      };
    },
    close: stop,
  };
}
