import { eq, lt } from 'drizzle-orm';
import type { Cache } from '../../cache';
import type { Db } from '../../db';
import { oauthStates } from '../../db/schema';
import { DependencyUnavailableError } from '../../errors';

export type PendingSignIn = {
  provider: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string | null;
  redirectUri: string;
};

/** Short-lived, single-use values keyed by an unguessable string: sign-in states, CLI authorization codes. */
export type StateStore = {
  put: <T = PendingSignIn>(state: string, data: T, ttlSeconds: number) => Promise<void>;
  /** Single use: the first take wins, every later one gets nothing. */
  take: <T = PendingSignIn>(state: string) => Promise<T | undefined>;
};

const KEY = (state: string) => `oauth:state:${state}`;

/** Redis when configured (atomic GETDEL), PostgreSQL otherwise (DELETE … RETURNING); never process memory. */
export function createStateStore(deps: { cache: Cache; db: Db; now: () => Date }): StateStore {
  if (deps.cache.kind === 'redis') {
    // Without the store no sign-in can be checked: say so (503) rather than fail obscurely.
    const guard = <T>(p: Promise<T>) =>
      p.catch((err: unknown) => {
        throw new DependencyUnavailableError('Sign-in is temporarily unavailable; try again shortly.', {
          cause: err,
        });
      });
    return {
      put: (state, data, ttl) => guard(deps.cache.set(KEY(state), JSON.stringify(data), ttl)),
      take: async (state) => {
        const raw = await guard(deps.cache.take(KEY(state)));
        return raw ? JSON.parse(raw) : undefined;
      },
    };
  }
  return {
    put: async (state, data, ttl) => {
      await deps.db.delete(oauthStates).where(lt(oauthStates.expiresAt, deps.now()));
      await deps.db
        .insert(oauthStates)
        .values({ state, data, expiresAt: new Date(deps.now().getTime() + ttl * 1000) });
    },
    take: async (state) => {
      const [row] = await deps.db.delete(oauthStates).where(eq(oauthStates.state, state)).returning();
      return row && row.expiresAt > deps.now() ? (row.data as never) : undefined;
    },
  };
}
