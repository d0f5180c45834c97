import type { Redis } from 'ioredis';

/**
 * A cache is never the source of truth: every caller must give correct answers when it is empty or down.
 * Values are strings; callers own their encoding.
 */
export type Cache = {
  kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  /** Several keys in one round trip; null where absent. */
  mget(keys: readonly string[]): Promise<(string | null)[]>;
  set(key: string, value: string, ttlSeconds: number): Promise<void>;
  /** Sets several keys, all with the same expiry, in one round trip. */
  setMany(entries: readonly (readonly [string, string])[], ttlSeconds: number): Promise<void>;
  /** Sets the key only where it is absent. */
  setIfAbsent(key: string, value: string, ttlSeconds: number): Promise<void>;
  del(key: string): Promise<void>;
  /** Reads and deletes in one step: for single-use values. */
  take(key: string): Promise<string | null>;
  /** Atomically increments and, on the first increment, sets the expiry: the building block of rate limits. */
  incr(key: string, ttlSeconds: number): Promise<number>;
  ping(): Promise<void>;
  /** Connected right now: a read cache skips a cache that is not, instead of waiting for its timeout. */
  connected(): boolean;
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
    mget: async (keys) => keys.map((k) => live(k)?.value ?? null),
    set: async (key, value, ttl) => {
      entries.set(key, { value, expiresAt: now() + ttl * 1000 });
    },
    setMany: async (pairs, ttl) => {
      for (const [key, value] of pairs) entries.set(key, { value, expiresAt: now() + ttl * 1000 });
    },
    setIfAbsent: async (key, value, ttl) => {
      if (!live(key)) entries.set(key, { value, expiresAt: now() + ttl * 1000 });
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
    connected: () => true,
    close: async () => entries.clear(),
  };
}

/**
 * ioredis (~130 KB of bundle) is loaded and connected on first use, not at start: a function that never touches
 * the cache never loads it, and one that does listens sooner. Until then `connected()` is false (and starts the
 * load), so read caches answer from PostgreSQL meanwhile.
 */
export function createRedisCache(url: string, opts: { keyPrefix?: string } = {}): Cache {
  let client: Redis | undefined;
  let loading: Promise<Redis> | undefined;
  // The module's default export is the Redis class both in Node and in a bundle's chunk, which has no named ones.
  const open = () => (loading ??= import('ioredis').then((m) => (client = connect(m.default))));
  const connect = (Redis: typeof import('ioredis').Redis) => {
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
    return redis;
  };
  return {
    kind: 'redis',
    get: async (key) => (await open()).get(key),
    mget: async (keys) => (keys.length === 0 ? [] : (await open()).mget(...keys)),
    set: async (key, value, ttl) => {
      await (await open()).set(key, value, 'EX', ttl);
    },
    setMany: async (pairs, ttl) => {
      const multi = (await open()).multi();
      for (const [key, value] of pairs) multi.set(key, value, 'EX', ttl);
      const results = await multi.exec();
      const failed = results?.find(([err]) => err);
      if (!results || failed) throw failed?.[0] ?? new Error('the Redis transaction was discarded');
    },
    setIfAbsent: async (key, value, ttl) => {
      await (await open()).set(key, value, 'EX', ttl, 'NX');
    },
    del: async (key) => {
      await (await open()).del(key);
    },
    take: async (key) => (await open()).getdel(key),
    incr: async (key, ttl) => {
      const redis = await open();
      const [[, count]] = (await redis.multi().incr(key).expire(key, ttl, 'NX').exec()) as [[null, number]];
      return count;
    },
    ping: async () => {
      await (await open()).ping();
    },
    connected: () => {
      if (!loading) open().catch(() => {});
      return client?.status === 'ready';
    },
    close: async () => {
      (await loading?.catch(() => undefined))?.disconnect();
    },
  };
}
