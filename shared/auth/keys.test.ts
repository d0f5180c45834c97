import { randomBytes } from 'node:crypto';
import { eq, isNull } from 'drizzle-orm';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { auditLog, signingKeys } from '../db/schema';
import { waitFor } from '../testing/kube/supervisor';
import { usePlatform } from '../testing/platform';
import { issueAccessToken, verifyAccessToken } from './access-tokens';
import { createKeyStore } from './keys';

describe('signing key store', () => {
  const platform = usePlatform();
  const store = (kek = KEK) =>
    createKeyStore({ db: platform().db, kek, maxTokenTtlSeconds: 3600, activeKeyCacheMs: 0 });
  const KEK = randomBytes(32);

  it('creates one key on first use, even when many processes ask at once', async () => {
    const kids = await Promise.all([store(), store(), store()].map((s) => s.signingKey().then((k) => k.kid)));
    expect(new Set(kids).size).toBe(1);
    const rows = await platform().db.select().from(signingKeys);
    expect(rows).toHaveLength(1);
  });

  it('stores the private key encrypted, unusable with another key-encryption key', async () => {
    const [row] = await platform().db.select().from(signingKeys);
    expect(row!.privateKeyEncrypted).not.toContain('PRIVATE KEY');
    expect(Buffer.from(row!.privateKeyEncrypted, 'base64').toString()).not.toContain('PRIVATE KEY');
    await expect(store(randomBytes(32)).signingKey()).rejects.toThrow();
  });

  it('keeps tokens of the previous key valid after rotation, signs new ones with the new key', async () => {
    const s = store();
    const before = await s.signingKey();
    const old = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: before.kid })
      .setExpirationTime('5m')
      .sign(before.key);
    const { kid: newKid } = await s.rotate();
    expect(newKid).not.toBe(before.kid);
    expect((await s.signingKey()).kid).toBe(newKid);
    const jwks = await s.jwks();
    expect(jwks.keys.map((k) => k.kid).sort()).toEqual([before.kid, newKid].sort());
    expect(jwks.keys.every((k) => !('d' in k))).toBe(true);
    const oldKey = await s.publicKey(before.kid);
    await expect(jwtVerify(old, oldKey!)).resolves.toBeDefined();
  });

  it('drops a retired key once every token it signed has expired', async () => {
    let now = new Date();
    const s = createKeyStore({
      db: platform().db,
      kek: KEK,
      maxTokenTtlSeconds: 60,
      activeKeyCacheMs: 0,
      now: () => now,
    });
    const retired = (await s.signingKey()).kid;
    await s.rotate();
    expect(await s.publicKey(retired)).toBeDefined();
    now = new Date(Date.now() + 60 * 60_000);
    expect(await s.publicKey(retired)).toBeUndefined();
    expect((await s.jwks()).keys.map((k) => k.kid)).not.toContain(retired);
    await expect(
      verifyAccessToken(
        { keys: s, issuer: 'x' },
        `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: retired })).toString('base64url')}.e30.sig`,
      ),
    ).rejects.toMatchObject({ code: 'INVALID_TOKEN' });
  });
});

describe('signing key rotation rules', () => {
  const platform = usePlatform();
  const KEK = randomBytes(32);
  const store = (opts: { activeKeyCacheMs?: number; now?: () => Date; kek?: Buffer } = {}) =>
    createKeyStore({ db: platform().db, kek: opts.kek ?? KEK, maxTokenTtlSeconds: 3600, ...opts });
  const DAY_MS = 86_400_000;
  const ageActiveKey = (days: number) =>
    platform()
      .db.update(signingKeys)
      .set({ activatedAt: new Date(Date.now() - days * DAY_MS) })
      .where(isNull(signingKeys.retiredAt));
  const activeKids = async () =>
    (await platform().db.select().from(signingKeys).where(isNull(signingKeys.retiredAt))).map((r) => r.kid);

  it('rotates on request only a key older than asked, and once when many processes ask at once', async () => {
    const first = (await store().signingKey()).kid;
    await ageActiveKey(10);
    const young = await store().rotate({ olderThanMs: 30 * DAY_MS });
    expect(young).toMatchObject({ rotated: false, kid: first, retired: [] });
    await ageActiveKey(31);
    const all = await Promise.all(
      Array.from({ length: 10 }, () => store().rotate({ olderThanMs: 30 * DAY_MS })),
    );
    const done = all.filter((r) => r.rotated);
    expect(done).toHaveLength(1);
    expect(done[0]!.retired.map((r) => r.kid)).toEqual([first]);
    expect(new Set(all.map((r) => r.kid))).toEqual(new Set([done[0]!.kid]));
    expect(await activeKids()).toEqual([done[0]!.kid]);
    const audited = await platform()
      .db.select()
      .from(auditLog)
      .where(eq(auditLog.action, 'signing_key.rotated'));
    expect(audited.map((a) => [a.targetId, a.actorId, a.data])).toEqual([
      [done[0]!.kid, null, expect.objectContaining({ reason: 'manual', retired: [first] })],
    ]);
  });

  it('keeps a retired key published for the longest token, plus the cache window in which others still sign with it', async () => {
    const s = store({ activeKeyCacheMs: 45_000 });
    const r = await s.rotate();
    const [retired] = r.retired;
    const overlap = retired!.publishedUntil.getTime() - r.activatedAt.getTime();
    expect(overlap).toBeGreaterThanOrEqual(3600_000 + 45_000);
  });

  it('lets another process sign with the key it loaded until its cache window ends, then with the new one', async () => {
    const window = 1500;
    const other = store({ activeKeyCacheMs: window });
    const loadedAt = Date.now();
    const loaded = await other.signingKey();
    const { kid: newKid } = await store().rotate();
    const stale = await other.signingKey();
    // Loaded a moment ago: still the old key, and what it signs verifies against the published keys.
    expect(stale.kid).toBe(loaded.kid);
    const token = await new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: stale.kid })
      .setExpirationTime('5m')
      .sign(stale.key);
    await expect(jwtVerify(token, (await store().publicKey(stale.kid))!)).resolves.toBeDefined();
    const switched = await waitFor(
      'the new key',
      async () => ((await other.signingKey()).kid === newKid ? Date.now() : undefined),
      { timeoutMs: window + 5000, intervalMs: 50 },
    );
    expect(switched - loadedAt).toBeLessThan(window + 1000);
  });

  it('stops accepting a retired key once its publication ends, also where it was cached', async () => {
    let now = new Date();
    const s = store({ activeKeyCacheMs: 60_000, now: () => now });
    const retired = (await s.signingKey()).kid;
    await s.rotate();
    expect(await s.publicKey(retired)).toBeDefined(); // cached from here on
    now = new Date(Date.now() + 2 * 3600_000);
    expect(await s.publicKey(retired)).toBeUndefined();
  });

  it('remembers verified access tokens only as long as their key is cached, and never past their expiry', async () => {
    let now = new Date();
    const s = store({ activeKeyCacheMs: 60_000, now: () => now });
    const ctx = { keys: s, issuer: 'https://hexabase.example.com' };
    const claims = { sub: 'usr-aaaaaaaaaaaaaaaaaaaa', sid: 'ses-aaaaaaaaaaaaaaaaaaaa' };
    const short = await issueAccessToken({ ...ctx, accessTtlSeconds: 1 }, claims);
    const { kid } = await s.signingKey();
    expect(await verifyAccessToken(ctx, short)).toEqual(claims);
    expect(s.verifiedTokens(kid)?.has(short)).toBe(true);
    await new Promise((r) => setTimeout(r, 1100));
    await expect(verifyAccessToken(ctx, short)).rejects.toMatchObject({ status: 401 });

    // Retired and then unpublished: the remembered token goes with the cached key.
    const long = await issueAccessToken({ ...ctx, accessTtlSeconds: 900 }, claims);
    expect(await verifyAccessToken(ctx, long)).toEqual(claims);
    await s.rotate();
    expect(await verifyAccessToken(ctx, long)).toEqual(claims); // still published
    now = new Date(Date.now() + 2 * 3600_000);
    expect(s.verifiedTokens(kid)).toBeUndefined();
    await expect(verifyAccessToken(ctx, long)).rejects.toMatchObject({ status: 401 });
  });

  it('refuses to rotate with another key-encryption key and leaves the active key in place', async () => {
    const before = await activeKids();
    await expect(store({ kek: randomBytes(32) }).rotate()).rejects.toMatchObject({
      code: 'KEY_ENCRYPTION_KEY_MISMATCH',
    });
    expect(await activeKids()).toEqual(before);
  });
});
