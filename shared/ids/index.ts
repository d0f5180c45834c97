import { randomBytes } from 'node:crypto';
import * as z from 'zod';

/** Prefixes from CONTRACT. The random part is lowercase base32 so ids can be embedded in Kubernetes names. */
export const idPrefixes = [
  'usr',
  'idn',
  'org',
  'inv',
  'ws',
  'grp',
  'prj',
  'role',
  'ra',
  'task',
  'pat',
  'ses',
  'key',
  'evt',
  'aud',
] as const;
export type IdPrefix = (typeof idPrefixes)[number];

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';
/** 20 characters × 5 bits = 100 bits of randomness; `role-` + 20 = 25 chars, well under CONTRACT's 32. */
export const ID_RANDOM_LENGTH = 20;

export function newId(prefix: IdPrefix): string {
  const bytes = randomBytes(ID_RANDOM_LENGTH);
  let out = '';
  for (const b of bytes) out += ALPHABET[b & 31];
  return `${prefix}-${out}`;
}

const patterns = new Map(idPrefixes.map((p) => [p, new RegExp(`^${p}-[a-z2-7]{${ID_RANDOM_LENGTH}}$`)]));

export function isId(prefix: IdPrefix, value: string): boolean {
  return patterns.get(prefix)!.test(value);
}

export function idSchema(prefix: IdPrefix) {
  return z.string().regex(patterns.get(prefix)!, { message: `expected a ${prefix}- id` });
}
