import type { Db } from '../db';
import { auditLog } from '../db/schema';
import { newId } from '../ids';

/**
 * Who acts: the signed-in user and where the request came from. Every verb that changes state takes one, so its
 * audit row can name them; reads take it too, so a verb's shape does not depend on whether it writes.
 */
export type Actor = { userId: string; requestId?: string; ip?: string };

/** The audit row's who-and-whence columns for an actor. */
export const auditMeta = (actor: Actor) => ({
  actorId: actor.userId,
  requestId: actor.requestId ?? null,
  ip: actor.ip ?? null,
});

export type AuditEntry = {
  action: string;
  actorId: string | null;
  targetType: string;
  targetId?: string | null;
  organizationId?: string | null;
  workspaceId?: string | null;
  data?: Record<string, unknown>;
  requestId?: string | null;
  ip?: string | null;
};

/** Call with the transaction that makes the change: the audit row commits or rolls back with it. */
export async function audit(tx: Db, entry: AuditEntry): Promise<void> {
  await tx.insert(auditLog).values({
    id: newId('aud'),
    action: entry.action,
    actorId: entry.actorId,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    organizationId: entry.organizationId ?? null,
    workspaceId: entry.workspaceId ?? null,
    data: entry.data ?? {},
    requestId: entry.requestId ?? null,
    ip: entry.ip ?? null,
  });
}
