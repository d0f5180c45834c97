import { describe, expect, it } from 'vitest';
import { usePlatform } from '../../testing/platform';
import { createStateStore, type PendingSignIn } from './state-store';

const pending: PendingSignIn = {
  provider: 'p',
  codeVerifier: 'v',
  nonce: 'n',
  returnTo: null,
  redirectUri: 'http://x/cb',
};

describe.each([
  ['Redis', {}],
  ['PostgreSQL (no Redis configured)', { REDIS_URL: '' }],
])('sign-in state store on %s', (_name, overrides) => {
  const platform = usePlatform(overrides as Record<string, string>);
  const store = () => createStateStore({ cache: platform().cache, db: platform().db, now: () => new Date() });

  it('gives a state back exactly once, even to concurrent takers', async () => {
    await store().put('s1', pending, 60);
    const taken = await Promise.all([store().take('s1'), store().take('s1'), store().take('s1')]);
    expect(taken.filter(Boolean)).toEqual([pending]);
  });

  it('forgets a state after its expiry', async () => {
    await store().put('s2', pending, 1);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await store().take('s2')).toBeUndefined();
  });

  it('knows nothing of states it never stored', async () => {
    expect(await store().take('never')).toBeUndefined();
  });
});
