import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../testing/kube/supervisor';
import { capturedLogger } from '../testing/logs';
import { startPrivateRedis } from '../testing/redis';
import { TEST_SERVICES } from '../testing/services';
import { type Cache, createMemoryCache, createRedisCache } from '.';
import { createVersionedCache } from './versioned';

/** A loader over a value the test changes, counting how often the cache had to ask it (as PostgreSQL would be). */
function source<T>(initial: T) {
  const s = { value: initial as T | undefined, loads: 0 };
  return {
    s,
    load: async () => {
      s.loads++;
      return s.value;
    },
  };
}

const caches: [string, () => Cache][] = [
  ['memory', () => createMemoryCache()],
  [
    'redis',
    () => createRedisCache(TEST_SERVICES.redisUrl, { keyPrefix: `test:${randomBytes(4).toString('hex')}:` }),
  ],
];

describe.each(caches)('versioned cache over %s', (_kind, make) => {
  const cache = make();
  const { log } = capturedLogger();
  const vc = createVersionedCache(cache, { ttlSeconds: 60, log });
  beforeAll(() =>
    waitFor('cache connected', async () => (cache.connected() ? true : undefined), { timeoutMs: 10_000 }),
  );
  afterAll(() => cache.close());

  it('loads once and then answers from the cache, under unchanged versions', async () => {
    const { s, load } = source({ role: 'admin' });
    expect(await vc.read('k1', ['v:a'], load)).toEqual({ role: 'admin' }); // creates the version
    expect(await vc.read('k1', ['v:a'], load)).toEqual({ role: 'admin' }); // stores the entry
    expect(await vc.read('k1', ['v:a'], load)).toEqual({ role: 'admin' });
    expect(await vc.read('k1', ['v:a'], load)).toEqual({ role: 'admin' });
    expect(s.loads).toBe(2);
  });

  it('loads again after any of its versions is bumped', async () => {
    const { s, load } = source('member');
    await vc.read('k2', ['v:u', 'v:w'], load);
    await vc.read('k2', ['v:u', 'v:w'], load);
    expect(await vc.read('k2', ['v:u', 'v:w'], load)).toBe('member');
    const before = s.loads;
    s.value = 'admin';
    await vc.bump(['v:w']);
    expect(await vc.read('k2', ['v:u', 'v:w'], load)).toBe('admin');
    expect(await vc.read('k2', ['v:u', 'v:w'], load)).toBe('admin');
    expect(s.loads).toBe(before + 1);
  });

  it('never serves what a reader stored after a change it did not see (bump during the load)', async () => {
    const { s, load } = source('member');
    await vc.read('k3', ['v:r'], load); // versions exist from here on
    // The reader has read the versions; the change commits and bumps while it reads the old value.
    const racing = async () => {
      const stale = await load();
      s.value = undefined; // removed
      await vc.bump(['v:r']);
      return stale;
    };
    expect(await vc.read('k3', ['v:r'], racing)).toBe('member'); // this one request raced the change
    expect(await vc.read('k3', ['v:r'], load)).toBeUndefined(); // every later one sees it
  });

  it('keeps no negative answers', async () => {
    const { s, load } = source<string | undefined>(undefined);
    await vc.read('k4', ['v:n'], load);
    await vc.read('k4', ['v:n'], load);
    s.value = 'member';
    expect(await vc.read('k4', ['v:n'], load)).toBe('member');
  });

  it('trusts no entry once a version is gone (evicted or expired)', async () => {
    const { s, load } = source('member');
    await vc.read('k5', ['v:e'], load);
    await vc.read('k5', ['v:e'], load);
    await cache.del('v:e');
    s.value = 'admin';
    expect(await vc.read('k5', ['v:e'], load)).toBe('admin');
  });

  it('reads through when the TTL is 0', async () => {
    const off = createVersionedCache(cache, { ttlSeconds: 0, log });
    const { s, load } = source('x');
    for (let i = 0; i < 3; i++) await off.read('k6', [], load);
    expect(s.loads).toBe(3);
  });
});

describe('versioned cache when Redis goes away', () => {
  it('answers from the source while Redis is down, and lands the invalidation it missed before trusting Redis again', async () => {
    const redis = await startPrivateRedis();
    const cache = createRedisCache(redis.url);
    const { log, lines } = capturedLogger();
    const vc = createVersionedCache(cache, { ttlSeconds: 60, log, retryMs: 100 });
    try {
      const { s, load } = source('member');
      await waitFor('redis connected', async () => (cache.connected() ? true : undefined), {
        timeoutMs: 10_000,
      });
      await vc.read('m', ['v:m'], load);
      await vc.read('m', ['v:m'], load);
      const warm = s.loads;
      expect(await vc.read('m', ['v:m'], load)).toBe('member');
      expect(s.loads).toBe(warm);

      await redis.stop();
      await waitFor('redis disconnected', async () => (cache.connected() ? undefined : true), {
        timeoutMs: 10_000,
      });
      s.value = 'admin';
      await vc.bump(['v:m']); // the change committed; its invalidation cannot land now
      expect(lines.some((l) => l.msg?.toString().startsWith('cache invalidation deferred'))).toBe(true);
      expect(await vc.read('m', ['v:m'], load)).toBe('admin');
      expect(await vc.read('m', ['v:m'], load)).toBe('admin');

      await redis.start();
      await waitFor(
        'the deferred invalidation',
        async () => (lines.some((l) => l.msg === 'deferred cache invalidations applied') ? true : undefined),
        { timeoutMs: 30_000 },
      );
      expect(await vc.read('m', ['v:m'], load)).toBe('admin');
    } finally {
      await cache.close();
      await redis.stop();
    }
  });
});
