import type { Authz } from '../authz';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';

/** Who acts, for audit rows: every verb that changes state takes one. */
export type Actor = { userId: string; requestId?: string; ip?: string };

export type OrgContext = {
  db: Db;
  now: () => Date;
  kek: Buffer;
  publicUrl: string;
  /** Bumped after membership changes commit (shared/authz). */
  authzCache: VersionedCache;
};

export const auditMeta = (actor: Actor) => ({
  actorId: actor.userId,
  requestId: actor.requestId ?? null,
  ip: actor.ip ?? null,
});

/** Membership changes go through shared/authz so that cached authorization follows them. */
export const authzOf = (ctx: OrgContext): Authz => ({ db: ctx.db, cache: ctx.authzCache });
