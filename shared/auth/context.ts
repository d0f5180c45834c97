import type { Cache } from '../cache';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import type { KeyStore } from './keys';

/** What the auth verbs need; built once per process from the platform. */
export type AuthContext = {
  db: Db;
  cache: Cache;
  /** Sessions, tokens and memberships read through it; one instance per process, shared with shared/authz. */
  authzCache: VersionedCache;
  keys: KeyStore;
  /** Key-encryption key: seals secrets that must be recoverable later (signing keys, invitation links). */
  kek: Buffer;
  /** Derived from the KEK: CSRF tokens are a MAC of the session id under it (csrf.ts). */
  csrfKey: Buffer;
  /** Derived from the KEK: a refresh token's successor is a MAC of it under this key (sessions.ts). */
  refreshKey: Buffer;
  /** `iss` of access tokens: the public origin. */
  issuer: string;
  accessTtlSeconds: number;
  refreshTtlSeconds: number;
  /** How long after a rotation the spent refresh token still answers with its successor (racing tabs); 0 = never. */
  refreshReuseGraceSeconds: number;
  now: () => Date;
};

/** Who made a request, and how: verbs authorize on `userId`; CSRF rules depend on `via`. */
export type Principal = {
  userId: string;
  via: 'bearer' | 'cookie';
  credential: { kind: 'session'; sessionId: string } | { kind: 'pat'; patId: string };
};

export type RequestMeta = { requestId?: string; ip?: string; userAgent?: string };
