import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { signingKeys } from '../db/schema';
import { usePlatform } from '../testing/platform';
import { verifyAccessToken } from './access-tokens';
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
    const newKid = await s.rotate();
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
