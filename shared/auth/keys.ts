import { and, desc, eq, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type JWK } from 'jose';
import type { Db } from '../db';
import { signingKeys } from '../db/schema';
import { newId } from '../ids';
import { seal, unseal } from './seal';

export type Key = Awaited<ReturnType<typeof importJWK>>;

export const SIGNING_ALG = 'RS256';

export type KeyStoreOptions = {
  db: Db;
  /** 32-byte key-encryption key; private keys never touch the database unencrypted. */
  kek: Buffer;
  /** The longest lifetime of any token these keys sign: a retired key stays published this long. */
  maxTokenTtlSeconds: number;
  now?: () => Date;
  /** How long a process keeps using the active key it loaded before checking for a rotation. */
  activeKeyCacheMs?: number;
};

export type KeyStore = {
  signingKey: () => Promise<{ kid: string; key: Key }>;
  publicKey: (kid: string) => Promise<Key | undefined>;
  jwks: () => Promise<{ keys: JWK[] }>;
  rotate: () => Promise<string>;
};

const LOCK = 7_347_223;

/**
 * Signing keys persisted in PostgreSQL, shared by every process. One key is active; rotation retires it but keeps
 * its public half in the JWKS until every token it signed has expired.
 */
export function createKeyStore(opts: KeyStoreOptions): KeyStore {
  if (opts.kek.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
  const now = opts.now ?? (() => new Date());
  const publicKeys = new Map<string, Key>();
  let active: { kid: string; key: Key; loadedAt: number } | undefined;

  const insertKey = async (db: Db) => {
    const kid = newId('key');
    const { publicKey, privateKey } = await generateKeyPair(SIGNING_ALG, {
      extractable: true,
      modulusLength: 2048,
    });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: SIGNING_ALG, use: 'sig' };
    await db.insert(signingKeys).values({
      kid,
      alg: SIGNING_ALG,
      publicJwk: jwk,
      privateKeyEncrypted: seal(opts.kek, kid, await exportPKCS8(privateKey)),
      activatedAt: now(),
    });
    return kid;
  };

  const loadActive = async () => {
    const [row] = await opts.db
      .select()
      .from(signingKeys)
      .where(and(isNotNull(signingKeys.activatedAt), isNull(signingKeys.retiredAt)))
      .orderBy(desc(signingKeys.activatedAt))
      .limit(1);
    if (!row) {
      // Several processes may start on an empty table at once; the lock makes exactly one create the key.
      await opts.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${LOCK})`);
        const [existing] = await tx
          .select({ kid: signingKeys.kid })
          .from(signingKeys)
          .where(and(isNotNull(signingKeys.activatedAt), isNull(signingKeys.retiredAt)))
          .limit(1);
        if (!existing) await insertKey(tx);
      });
      return loadActive();
    }
    const key = await importPKCS8(unseal(opts.kek, row.kid, row.privateKeyEncrypted), SIGNING_ALG);
    active = { kid: row.kid, key, loadedAt: Date.now() };
    return active;
  };

  const published = () => or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, now()));

  return {
    signingKey: async () => {
      const cached =
        active && Date.now() - active.loadedAt < (opts.activeKeyCacheMs ?? 60_000) ? active : undefined;
      const a = cached ?? (await loadActive());
      return { kid: a.kid, key: a.key };
    },
    publicKey: async (kid) => {
      const hit = publicKeys.get(kid);
      if (hit) return hit;
      const [row] = await opts.db
        .select({ jwk: signingKeys.publicJwk, expiresAt: signingKeys.expiresAt })
        .from(signingKeys)
        .where(and(eq(signingKeys.kid, kid), published()))
        .limit(1);
      if (!row) return undefined;
      const key = await importJWK(row.jwk as JWK, SIGNING_ALG);
      // Only keys that never expire from the JWKS are cached; a retired key is re-checked each time.
      if (!row.expiresAt) publicKeys.set(kid, key);
      return key;
    },
    jwks: async () => {
      const rows = await opts.db
        .select({ jwk: signingKeys.publicJwk })
        .from(signingKeys)
        .where(published())
        .orderBy(desc(signingKeys.createdAt));
      return { keys: rows.map((r) => r.jwk as JWK) };
    },
    rotate: async () => {
      const kid = await opts.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${LOCK})`);
        const retireAt = now();
        const expiresAt = new Date(retireAt.getTime() + (opts.maxTokenTtlSeconds + 300) * 1000);
        await tx
          .update(signingKeys)
          .set({ retiredAt: retireAt, expiresAt })
          .where(and(isNotNull(signingKeys.activatedAt), isNull(signingKeys.retiredAt)));
        return insertKey(tx);
      });
      active = undefined;
      publicKeys.clear();
      // Keys whose tokens can no longer be valid are deleted: nothing can verify against them any more.
      await opts.db
        .delete(signingKeys)
        .where(lte(signingKeys.expiresAt, new Date(now().getTime() - 86_400_000)));
      return kid;
    },
  };
}
