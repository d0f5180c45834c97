import type { Db } from '../db';

/** Who acts, for audit rows: every verb that changes state takes one. */
export type Actor = { userId: string; requestId?: string; ip?: string };

export type OrgContext = { db: Db; now: () => Date; kek: Buffer; publicUrl: string };

export const auditMeta = (actor: Actor) => ({
  actorId: actor.userId,
  requestId: actor.requestId ?? null,
  ip: actor.ip ?? null,
});
