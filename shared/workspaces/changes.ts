import { eq } from 'drizzle-orm';
import { audit } from '../audit';
import type { Db } from '../db';
import { workspaces } from '../db/schema';
import { EVENTS } from '../events/catalog';
import { enqueue } from '../events/outbox';
import { type Actor, auditMeta } from '../orgs/context';
import type { WorkspaceAccess } from './access';

/**
 * Every change the cluster must reflect: the audit row and the `rbac.changed` event (or the given project
 * type), in the caller's transaction, and a generation bump so the provisioner knows its state is stale.
 */
export async function recordChange(
  tx: Db,
  actor: Actor,
  ws: WorkspaceAccess,
  change: {
    action: string;
    targetType: string;
    targetId: string;
    data?: Record<string, unknown>;
    event?: typeof EVENTS.projectCreated.type | typeof EVENTS.projectDeleted.type;
  },
) {
  await audit(tx, {
    ...auditMeta(actor),
    action: change.action,
    organizationId: ws.organizationId,
    workspaceId: ws.workspaceId,
    targetType: change.targetType,
    targetId: change.targetId,
    data: change.data ?? {},
  });
  const [w] = await tx
    .select({ generation: workspaces.generation })
    .from(workspaces)
    .where(eq(workspaces.id, ws.workspaceId));
  await tx
    .update(workspaces)
    .set({ generation: (w?.generation ?? 0) + 1 })
    .where(eq(workspaces.id, ws.workspaceId));
  await enqueue(tx, {
    type: change.event ?? EVENTS.rbacChanged.type,
    source: 'workspaces',
    subject: change.targetId,
    data: { workspaceId: ws.workspaceId, [`${change.targetType}Id`]: change.targetId },
  });
}
