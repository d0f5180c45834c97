import { randomBytes } from 'node:crypto';
import type { Logger } from '../log';
import type { Cache } from '.';

/**
 * A read-through cache whose entries are valid only under the versions they were read under. A change commits in
 * PostgreSQL, then `bump`s the versions it affects: every entry stored under the old values is stale from that
 * moment, in every process sharing the cache, whatever order the readers' writes land in.
 *
 * Why it is race-free: a reader reads the versions (with the entry, in one round trip) *before* it reads
 * PostgreSQL, and stores what it read under those versions. A change that commits after that read bumps afterwards,
 * so the stored entry carries the old versions and never matches again.
 */
export type VersionedCache = {
  read<T>(
    key: string,
    versions: readonly string[],
    load: () => Promise<T | undefined>,
  ): Promise<T | undefined>;
  /** Awaited after the commit, before the change is answered: the next request anywhere sees the change. */
  bump(versions: readonly string[]): Promise<void>;
  /** Drops one entry; for values that change without a version (a token's last use), never for authorization. */
  forget(key: string): Promise<void>;
};

export type VersionedCacheOptions = {
  /** How long an entry lives at most; 0 turns the cache off (every read loads). */
  ttlSeconds: number;
  log: Logger;
  /** How soon a bump that failed is tried again. */
  retryMs?: number;
};

// A version outlives every entry stored under it; when one is evicted anyway, readers re-create it with a fresh
// value, which matches no entry.
const VERSION_TTL_SECONDS = 24 * 3600;

const token = () => randomBytes(9).toString('base64url');

export function createVersionedCache(cache: Cache, opts: VersionedCacheOptions): VersionedCache {
  // Versions whose bump has not reached the cache yet. While any is pending this process reads only PostgreSQL,
  // and it keeps retrying: when the cache comes back, the bump lands before this process trusts an entry again.
  const pending = new Set<string>();
  let retry: NodeJS.Timeout | undefined;

  const flush = async (versions: readonly string[]) => {
    await cache.setMany(
      versions.map((v) => [v, token()] as const),
      VERSION_TTL_SECONDS,
    );
  };
  const scheduleRetry = () => {
    if (retry) return;
    retry = setTimeout(async () => {
      retry = undefined;
      const versions = [...pending];
      try {
        if (!cache.connected()) throw new Error('cache not connected');
        await flush(versions);
        for (const v of versions) pending.delete(v);
        opts.log.info({ versions: versions.length }, 'deferred cache invalidations applied');
      } catch {
        scheduleRetry();
      }
    }, opts.retryMs ?? 1000);
    retry.unref();
  };

  return {
    async read(key, versions, load) {
      if (opts.ttlSeconds === 0 || pending.size > 0 || !cache.connected()) return load();
      let found: (string | null)[];
      try {
        found = await cache.mget([...versions, key]);
      } catch {
        return load();
      }
      const current = found.slice(0, versions.length);
      if (current.some((v) => v === null)) {
        await Promise.all(
          versions.map((v, i) =>
            current[i] === null
              ? cache.setIfAbsent(v, token(), VERSION_TTL_SECONDS).catch(() => {})
              : undefined,
          ),
        );
        return load();
      }
      const raw = found[versions.length];
      const entry = raw ? parseEntry(raw) : undefined;
      if (entry && entry.v.length === current.length && entry.v.every((v, i) => v === current[i])) {
        return entry.d as never;
      }
      const value = await load();
      if (value !== undefined) {
        await cache.set(key, JSON.stringify({ v: current, d: value }), opts.ttlSeconds).catch(() => {});
      }
      return value;
    },

    async forget(key) {
      await cache.del(key).catch(() => {});
    },

    async bump(versions) {
      if (versions.length === 0) return;
      // Tried even when not connected yet: the cache may just be connecting (or loading its client); a cache that
      // is really down fails within its command timeout.
      try {
        await flush(versions);
      } catch (err) {
        for (const v of versions) pending.add(v);
        opts.log.error(
          { err: (err as Error).message, versions: versions.length },
          'cache invalidation deferred: this process reads PostgreSQL only until it lands',
        );
        scheduleRetry();
      }
    },
  };
}

function parseEntry(raw: string): { v: string[]; d: unknown } | undefined {
  try {
    const e = JSON.parse(raw) as { v?: unknown; d?: unknown };
    return Array.isArray(e.v) ? { v: e.v as string[], d: e.d } : undefined;
  } catch {
    return undefined; // not ours or damaged: read PostgreSQL and overwrite it
  }
}
