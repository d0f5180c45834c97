import { and, eq, gt, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm';
import { audit } from '../audit';
import type { Db } from '../db';
import { billingAccounts, plans, workspaces } from '../db/schema';
import { EVENTS } from '../events/catalog';
import { enqueue } from '../events/outbox';
import type { BillingAccount } from './accounts';
import type { BillingContext } from './stripe';

const DAY_MS = 86_400_000;

/** Billing acts on its own: audit rows name no user. */
const SYSTEM = { actorId: null, requestId: null, ip: null };

/**
 * Suspension follows the account, level-triggered: past due for longer than the grace period → the paid workspaces
 * are SUSPENDED (the provisioner scales their vCluster to zero, data kept) and the org admins get an email; paid
 * again → they resume. A suspended workspace moved to a free plan resumes too. Runs in the transaction that holds
 * the account lock, after the account was refreshed; each transition is audited and announced in that transaction.
 */
export async function applyDunning(ctx: BillingContext, tx: Db, account: BillingAccount): Promise<void> {
  const now = ctx.now();
  const orgId = account.organizationId;
  const overdue =
    account.status === 'past_due' &&
    account.pastDueSince !== null &&
    now.getTime() - account.pastDueSince.getTime() >= ctx.graceDays * DAY_MS;
  if (overdue) await suspend(tx, orgId, now, account.pastDueSince!);
  await resume(tx, orgId, account.status === 'active' || account.status === 'none');
}

async function suspend(tx: Db, orgId: string, now: Date, pastDueSince: Date) {
  const paid = tx.select({ id: plans.id }).from(plans).where(gt(plans.price, 0));
  const suspended = await tx
    .update(workspaces)
    .set({
      suspendedAt: now,
      status: 'SUSPENDED',
      statusMessage: 'Suspended for non-payment: the vCluster is scaled to zero; its data is kept.',
      generation: sql`${workspaces.generation} + 1`,
      updatedAt: now,
    })
    .where(
      and(
        eq(workspaces.organizationId, orgId),
        isNull(workspaces.suspendedAt),
        isNull(workspaces.deletionRequestedAt),
        inArray(workspaces.planId, paid),
      ),
    )
    .returning({ id: workspaces.id, name: workspaces.name });
  for (const w of suspended)
    await announce(tx, orgId, w, 'suspended', { pastDueSince: pastDueSince.toISOString() });
  if (suspended.length > 0)
    await enqueue(tx, {
      type: EVENTS.emailRequested.type,
      source: 'billing-worker',
      subject: orgId,
      data: {
        template: 'workspaces-suspended',
        organizationId: orgId,
        workspaceIds: suspended.map((w) => w.id),
      },
    });
}

async function resume(tx: Db, orgId: string, paidUp: boolean) {
  const free = tx.select({ id: plans.id }).from(plans).where(lte(plans.price, 0));
  const resumed = await tx
    .update(workspaces)
    .set({
      suspendedAt: null,
      status: 'UPDATING',
      statusMessage: null,
      generation: sql`${workspaces.generation} + 1`,
      updatedAt: new Date(),
    })
    .where(
      and(
        eq(workspaces.organizationId, orgId),
        isNotNull(workspaces.suspendedAt),
        isNull(workspaces.deletionRequestedAt),
        paidUp ? undefined : inArray(workspaces.planId, free),
      ),
    )
    .returning({ id: workspaces.id, name: workspaces.name });
  for (const w of resumed) await announce(tx, orgId, w, 'resumed', {});
}

async function announce(
  tx: Db,
  orgId: string,
  w: { id: string; name: string },
  what: 'suspended' | 'resumed',
  data: Record<string, unknown>,
) {
  await audit(tx, {
    ...SYSTEM,
    action: `workspace.${what}`,
    organizationId: orgId,
    workspaceId: w.id,
    targetType: 'workspace',
    targetId: w.id,
    data: { name: w.name, ...data },
  });
  await enqueue(tx, {
    type: what === 'suspended' ? EVENTS.workspaceSuspended.type : EVENTS.workspaceResumed.type,
    source: 'billing-worker',
    subject: w.id,
    data: { workspaceId: w.id, organizationId: orgId },
  });
}

/** The organizations whose grace period may have run out, or that have workspaces to resume: the tick visits them. */
export async function accountsToCheck(ctx: BillingContext): Promise<string[]> {
  const cutoff = new Date(ctx.now().getTime() - ctx.graceDays * DAY_MS);
  const rows = await ctx.db
    .select({ orgId: billingAccounts.organizationId })
    .from(billingAccounts)
    .where(
      or(
        and(eq(billingAccounts.status, 'past_due'), lte(billingAccounts.pastDueSince, cutoff)),
        inArray(
          billingAccounts.organizationId,
          ctx.db
            .select({ id: workspaces.organizationId })
            .from(workspaces)
            .where(isNotNull(workspaces.suspendedAt)),
        ),
      ),
    );
  return rows.map((r) => r.orgId);
}
