import { Redis } from 'ioredis';

/**
 * A cache is never the source of truth: every caller must give correct answers when it is empty or down.
 * Values are strings; callers own their encoding.
 */
export type Cache = {
  kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Reads and deletes in one step: for single-use values. */
  take(key: string): Promise<string | null>;
  /** Atomically increments and, on the first increment, sets the expiry: the building block of rate limits. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
};

export function createMemoryCache(now: () => number = Date.now): Cache {
  const entries = new Map<string, { value: string; expiresAt: number }>();
  const live = (key: string) => {
    const e = entries.get(key);
    if (e && e.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return e;
  };
  return {
    kind: 'memory',
    get: async (key) => live(key)?.value ?? null,
    set: async (key, value, ttl) => {
      entries.set(key, { value, expiresAt: now() + ttl * 1000 });
    },
    del: async (key) => {
      entries.delete(key);
    },
    take: async (key) => {
      const value = live(key)?.value ?? null;
      entries.delete(key);
      return value;
    },
    incr: async (key, ttl) => {
      const e = live(key);
      const next = (e ? Number(e.value) : 0) + 1;
      entries.set(key, { value: String(next), expiresAt: e?.expiresAt ?? now() + ttl * 1000 });
      return next;
    },
    ping: async () => {},
    close: async () => entries.clear(),
  };
}

export function createRedisCache(url: string, opts: { keyPrefix?: string } = {}): Cache {
  const redis = new Redis(url, {
    keyPrefix: opts.keyPrefix ?? 'hxb:',
    lazyConnect: false,
    // Commands wait for the first connection but never long: after a second they fail, and callers fall back
    // or answer 503 instead of hanging while Redis is down.
    enableOfflineQueue: true,
    commandTimeout: 1000,
    maxRetriesPerRequest: 1,
    connectTimeout: 2000,
  });
  redis.on('error', () => {
    // Reconnects on its own; readiness and callers see the failure through their own calls.
  });
  return {
    kind: 'redis',
    get: (key) => redis.get(key),
    set: async (key, value, ttl) => {
      await redis.set(key, value, 'EX', ttl);
    },
    del: async (key) => {
      await redis.del(key);
    },
    take: (key) => redis.getdel(key),
    incr: async (key, ttl) => {
      const [[, count]] = (await redis.multi().incr(key).expire(key, ttl, 'NX').exec()) as [[null, number]];
      return count;
    },
    ping: async () => {
      await redis.ping();
    },
    close: async () => {
      redis.disconnect();
    },
  };
}
