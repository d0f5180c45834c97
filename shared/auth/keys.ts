import { and, desc, eq, gt, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type JWK } from 'jose';
import { audit } from '../audit';
import type { Db } from '../db';
import { signingKeys } from '../db/schema';
import { OperatorError } from '../errors';
import { newId } from '../ids';
import { seal, unseal } from './seal';

export type Key = Awaited<ReturnType<typeof importJWK>>;

export const SIGNING_ALG = 'RS256';

/** How long a process keeps the keys it loaded before looking again: it sees a rotation within this window. */
export const DEFAULT_KEY_CACHE_MS = 60_000;

/** Clock differences between replicas and verifiers; a retired key's publication covers them too. */
const CLOCK_SKEW_MS = 300_000;

export type KeyStoreOptions = {
  db: Db;
  /** 32-byte key-encryption key; private keys never touch the database unencrypted. */
  kek: Buffer;
  /** The longest lifetime of any token these keys sign: a retired key stays published this long. */
  maxTokenTtlSeconds: number;
  now?: () => Date;
  /**
   * How long a process keeps using the active key it loaded before checking for a rotation, and keeps a public
   * key before checking its publication again. Every process sharing the database must use the same value.
   */
  activeKeyCacheMs?: number;
};

export type KeyInfo = {
  kid: string;
  alg: string;
  createdAt: Date;
  activatedAt: Date | null;
  retiredAt: Date | null;
  /** When the public key leaves the JWKS (no token it signed is valid any more); null while it is active. */
  publishedUntil: Date | null;
};

export type Rotation = {
  /** false when the active key was younger than `olderThanMs`: nothing changed. */
  rotated: boolean;
  /** The active key after the call. */
  kid: string;
  activatedAt: Date;
  retired: { kid: string; publishedUntil: Date }[];
};

export type RotateOptions = {
  /** Rotate only if the active key was activated at least this long ago (the schedule); omitted: always. */
  olderThanMs?: number;
  /** Recorded in the audit log: who asked (`schedule`, `command`, …). */
  reason?: string;
};

/** What a successful signature check of a token established; `expiresAtMs` is its `exp`. */
export type VerifiedToken = { sub: string; sid: string; expiresAtMs: number };

/** Tokens remembered per public key: enough for every session active at once, bounded against floods. */
const MAX_VERIFIED_PER_KEY = 10_000;

export type KeyStore = {
  signingKey: () => Promise<{ kid: string; key: Key }>;
  publicKey: (kid: string) => Promise<Key | undefined>;
  /**
   * Tokens already verified with the public key `kid` as `publicKey` last returned it. They live and die with
   * that cached key, so a retirement or deletion ends them within the same window; undefined when not cached.
   */
  verifiedTokens: (kid: string) => Map<string, VerifiedToken> | undefined;
  jwks: () => Promise<{ keys: JWK[] }>;
  rotate: (opts?: RotateOptions) => Promise<Rotation>;
  list: () => Promise<KeyInfo[]>;
};

const LOCK = 7_347_223;

const isActive = () => and(isNotNull(signingKeys.activatedAt), isNull(signingKeys.retiredAt));

/**
 * Signing keys persisted in PostgreSQL, shared by every process. One key is active; rotation retires it but keeps
 * its public half in the JWKS until every token it signed has expired.
 */
export function createKeyStore(opts: KeyStoreOptions): KeyStore {
  if (opts.kek.length !== 32) throw new Error('the key-encryption key must be 32 bytes');
  const now = opts.now ?? (() => new Date());
  const cacheMs = opts.activeKeyCacheMs ?? DEFAULT_KEY_CACHE_MS;
  // A process that loaded the old key just before a rotation signs with it for up to cacheMs more, and its last
  // token lives maxTokenTtl after that: the retired key stays published until then, plus clock skew.
  const overlapMs = opts.maxTokenTtlSeconds * 1000 + cacheMs + CLOCK_SKEW_MS;
  const publicKeys = new Map<
    string,
    { key: Key; loadedAt: number; expiresAt: Date | null; verified: Map<string, VerifiedToken> }
  >();
  const fresh = (hit: { loadedAt: number; expiresAt: Date | null } | undefined) =>
    !!hit && Date.now() - hit.loadedAt < cacheMs && (!hit.expiresAt || hit.expiresAt > now());
  let active: { kid: string; key: Key; loadedAt: number } | undefined;

  const insertKey = async (db: Db, activatedAt: Date) => {
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
      activatedAt,
    });
    return kid;
  };

  const activeRows = (db: Db) =>
    db
      .select({
        kid: signingKeys.kid,
        activatedAt: signingKeys.activatedAt,
        sealed: signingKeys.privateKeyEncrypted,
      })
      .from(signingKeys)
      .where(isActive())
      .orderBy(desc(signingKeys.activatedAt));

  const loadActive = async () => {
    const [row] = await activeRows(opts.db).limit(1);
    if (!row) {
      // Several processes may start on an empty table at once; the lock makes exactly one create the key.
      await opts.db.transaction(async (tx) => {
        await tx.execute(sql`select pg_advisory_xact_lock(${LOCK})`);
        const [existing] = await activeRows(tx).limit(1);
        if (!existing) await insertKey(tx, now());
      });
      return loadActive();
    }
    const key = await importPKCS8(unseal(opts.kek, row.kid, row.sealed), SIGNING_ALG);
    active = { kid: row.kid, key, loadedAt: Date.now() };
    return active;
  };

  const published = () => or(isNull(signingKeys.expiresAt), gt(signingKeys.expiresAt, now()));
  const isDue = (activatedAt: Date, olderThanMs: number | undefined) =>
    olderThanMs === undefined || activatedAt.getTime() <= now().getTime() - olderThanMs;

  return {
    signingKey: async () => {
      const cached = active && Date.now() - active.loadedAt < cacheMs ? active : undefined;
      const a = cached ?? (await loadActive());
      return { kid: a.kid, key: a.key };
    },
    publicKey: async (kid) => {
      // Bounded like the active key, so a retirement or deletion made elsewhere reaches this process too.
      const hit = publicKeys.get(kid);
      if (fresh(hit)) return hit!.key;
      const [row] = await opts.db
        .select({ jwk: signingKeys.publicJwk, expiresAt: signingKeys.expiresAt })
        .from(signingKeys)
        .where(and(eq(signingKeys.kid, kid), published()))
        .limit(1);
      if (!row) {
        publicKeys.delete(kid);
        return undefined;
      }
      const key = await importJWK(row.jwk as JWK, SIGNING_ALG);
      publicKeys.set(kid, { key, loadedAt: Date.now(), expiresAt: row.expiresAt, verified: new Map() });
      return key;
    },
    verifiedTokens: (kid) => {
      const hit = publicKeys.get(kid);
      if (!fresh(hit)) return undefined;
      // Oldest first (Map order): dropping them keeps the cache bounded whatever arrives.
      while (hit!.verified.size >= MAX_VERIFIED_PER_KEY)
        hit!.verified.delete(hit!.verified.keys().next().value!);
      return hit!.verified;
    },
    jwks: async () => {
      const rows = await opts.db
        .select({ jwk: signingKeys.publicJwk })
        .from(signingKeys)
        .where(published())
        .orderBy(desc(signingKeys.createdAt));
      return { keys: rows.map((r) => r.jwk as JWK) };
    },
    rotate: async ({ olderThanMs, reason = 'manual' } = {}) => {
      // The schedule asks every minute: a young key is answered without the lock.
      const [seen] = await activeRows(opts.db).limit(1);
      if (seen?.activatedAt && !isDue(seen.activatedAt, olderThanMs))
        return { rotated: false, kid: seen.kid, activatedAt: seen.activatedAt, retired: [] };
      const result = await opts.db.transaction(async (tx): Promise<Rotation> => {
        await tx.execute(sql`select pg_advisory_xact_lock(${LOCK})`);
        // Re-checked under the lock: of many concurrent callers, only the first finds the key still due.
        const current = await activeRows(tx);
        const newest = current[0];
        if (newest?.activatedAt && !isDue(newest.activatedAt, olderThanMs))
          return { rotated: false, kid: newest.kid, activatedAt: newest.activatedAt, retired: [] };
        for (const row of current) assertOpens(opts.kek, row.kid, row.sealed);
        const at = now();
        const publishedUntil = new Date(at.getTime() + overlapMs);
        await tx.update(signingKeys).set({ retiredAt: at, expiresAt: publishedUntil }).where(isActive());
        const kid = await insertKey(tx, at);
        const retired = current.map((r) => ({ kid: r.kid, publishedUntil }));
        await audit(tx, {
          action: 'signing_key.rotated',
          actorId: null,
          targetType: 'signing_key',
          targetId: kid,
          data: { reason, retired: retired.map((r) => r.kid), publishedUntil: publishedUntil.toISOString() },
        });
        return { rotated: true, kid, activatedAt: at, retired };
      });
      if (!result.rotated) return result;
      active = undefined;
      publicKeys.clear();
      // Keys whose tokens can no longer be valid are deleted: nothing can verify against them any more.
      await opts.db
        .delete(signingKeys)
        .where(lte(signingKeys.expiresAt, new Date(now().getTime() - 86_400_000)));
      return result;
    },
    list: async () => {
      const rows = await opts.db
        .select({
          kid: signingKeys.kid,
          alg: signingKeys.alg,
          createdAt: signingKeys.createdAt,
          activatedAt: signingKeys.activatedAt,
          retiredAt: signingKeys.retiredAt,
          publishedUntil: signingKeys.expiresAt,
        })
        .from(signingKeys)
        .orderBy(desc(signingKeys.createdAt));
      return rows;
    },
  };
}

/**
 * A rotation run with another key-encryption key than the services' would seal the new key so that no service
 * could sign with it: refuse before changing anything.
 */
function assertOpens(kek: Buffer, kid: string, sealed: string) {
  try {
    unseal(kek, kid, sealed);
  } catch (err) {
    throw new OperatorError(
      'KEY_ENCRYPTION_KEY_MISMATCH',
      `the key-encryption key does not open the active signing key ${kid}; use the HEXABASE_KEY_ENCRYPTION_KEY the services use`,
      { cause: err },
    );
  }
}
