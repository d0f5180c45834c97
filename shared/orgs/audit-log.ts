import { and, desc, eq, gte, lt, lte, or } from 'drizzle-orm';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../db/pagination';
import { auditLog } from '../db/schema';
import type { Actor, OrgContext } from './context';

export type AuditEntryView = {
  id: string;
  action: string;
  actorId: string | null;
  targetType: string;
  targetId: string | null;
  workspaceId: string | null;
  data: unknown;
  requestId: string | null;
  ip: string | null;
  createdAt: string;
};

export type AuditFilter = { actorId?: string; action?: string; since?: Date; until?: Date };

/** Newest first, keyset-paginated on (createdAt, id); filters combine with AND. */
export async function listAuditLog(
  ctx: OrgContext,
  _actor: Actor,
  input: { orgId: string } & AuditFilter & PageInput,
): Promise<Page<AuditEntryView>> {
  const { orgId, cursor, limit, ...filter } = input;
  const after = decodeCursor(cursor, TimeIdCursor);
  const rows = await ctx.db
    .select()
    .from(auditLog)
    .where(
      and(
        eq(auditLog.organizationId, orgId),
        filter.actorId ? eq(auditLog.actorId, filter.actorId) : undefined,
        filter.action ? eq(auditLog.action, filter.action) : undefined,
        filter.since ? gte(auditLog.createdAt, filter.since) : undefined,
        filter.until ? lte(auditLog.createdAt, filter.until) : undefined,
        after
          ? or(
              lt(auditLog.createdAt, new Date(after[0])),
              and(eq(auditLog.createdAt, new Date(after[0])), lt(auditLog.id, after[1])),
            )
          : undefined,
      ),
    )
    .orderBy(desc(auditLog.createdAt), desc(auditLog.id))
    .limit(limit + 1);
  return toPage(
    rows,
    limit,
    (r) => ({
      id: r.id,
      action: r.action,
      actorId: r.actorId,
      targetType: r.targetType,
      targetId: r.targetId,
      workspaceId: r.workspaceId,
      data: r.data,
      requestId: r.requestId,
      ip: r.ip,
      createdAt: r.createdAt.toISOString(),
    }),
    (r) => [r.createdAt.toISOString(), r.id],
  );
}
