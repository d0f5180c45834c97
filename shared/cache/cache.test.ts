import { randomBytes } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { TEST_SERVICES } from '../testing/services';
import { type Cache, createMemoryCache, createRedisCache } from './index';

const caches: [string, () => Cache][] = [
  ['memory', () => createMemoryCache()],
  [
    'redis',
    () => createRedisCache(TEST_SERVICES.redisUrl, { keyPrefix: `test:${randomBytes(4).toString('hex')}:` }),
  ],
];

describe.each(caches)('%s cache', (_kind, make) => {
  const cache = make();
  afterAll(() => cache.close());

  it('stores, reads and deletes', async () => {
    expect(await cache.get('a')).toBeNull();
    await cache.set('a', 'one', 60);
    expect(await cache.get('a')).toBe('one');
    await cache.del('a');
    expect(await cache.get('a')).toBeNull();
  });

  it('takes a value exactly once', async () => {
    await cache.set('once', 'v', 60);
    const taken = await Promise.all([cache.take('once'), cache.take('once'), cache.take('once')]);
    expect(taken.filter((t) => t === 'v')).toHaveLength(1);
    expect(await cache.get('once')).toBeNull();
  });

  it('expires entries after their TTL', async () => {
    await cache.set('short', 'x', 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.get('short')).toBeNull();
  });

  it('counts atomically under concurrency and keeps the first expiry', async () => {
    const counts = await Promise.all(Array.from({ length: 50 }, () => cache.incr('n', 1)));
    expect([...counts].sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await new Promise((r) => setTimeout(r, 1100));
    expect(await cache.incr('n', 1)).toBe(1);
  });

  it('answers ping', async () => {
    await expect(cache.ping()).resolves.toBeUndefined();
  });
});

describe('redis cache when Redis is unreachable', () => {
  it('fails fast instead of queueing', async () => {
    const cache = createRedisCache('redis://127.0.0.1:1');
    const started = Date.now();
    await expect(cache.get('x')).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(5000);
    await cache.close();
  });
});
