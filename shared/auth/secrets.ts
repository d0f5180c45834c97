import { createHash, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';

export const PAT_PREFIX = 'hxb_pat_';
export const REFRESH_PREFIX = 'hxb_rt_';

/** 256 random bits after a recognisable prefix (secret scanners match on it). */
export function randomToken(prefix: string): string {
  return prefix + randomBytes(32).toString('base64url');
}

/** Bearer secrets are stored as SHA-256: they are random, so no salt or slow hash is needed. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

export function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * A key for one purpose, derived from the key-encryption key with HKDF-SHA256: MACs never use the KEK itself, and
 * the purposes cannot be confused with one another. Every process with the same KEK derives the same keys.
 */
export function deriveKey(kek: Buffer, purpose: string): Buffer {
  return Buffer.from(hkdfSync('sha256', kek, Buffer.alloc(0), `hexabase/${purpose}`, 32));
}

export function mac(key: Buffer, message: string): string {
  return createHmac('sha256', key).update(message).digest('base64url');
}
