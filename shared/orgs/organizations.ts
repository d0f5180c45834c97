import { and, asc, count, eq, gt, or, sql } from 'drizzle-orm';
import { audit } from '../audit';
import { authzTransaction, type OrgRole, orgNotFound } from '../authz';
import type { Db } from '../db';
import { decodeCursor, type Page, type PageInput, TimeIdCursor, toPage } from '../db/pagination';
import { prepared } from '../db/prepared';
import { organizationMembers, organizations, workspaces } from '../db/schema';
import { ConflictError } from '../errors';
import { newId } from '../ids';
import { type Actor, auditMeta, authzOf, type OrgContext } from './context';

export type OrganizationView = {
  id: string;
  name: string;
  personal: boolean;
  createdAt: string;
  role: OrgRole;
};

const view = (
  r: { id: string; name: string; personal: boolean; createdAt: Date },
  role: OrgRole,
): OrganizationView => ({
  id: r.id,
  name: r.name,
  personal: r.personal,
  createdAt: r.createdAt.toISOString(),
  role,
});

export async function createOrganization(ctx: OrgContext, actor: Actor, input: { name: string }) {
  return ctx.db.transaction(async (tx) => {
    const id = newId('org');
    const [org] = await tx.insert(organizations).values({ id, name: input.name }).returning();
    await tx.insert(organizationMembers).values({ organizationId: id, userId: actor.userId, role: 'admin' });
    await audit(tx, {
      ...auditMeta(actor),
      action: 'organization.created',
      organizationId: id,
      targetType: 'organization',
      targetId: id,
      data: { name: input.name },
    });
    return view(org!, 'admin');
  });
}

const memberships = (db: Db) =>
  db
    .select({
      id: organizations.id,
      name: organizations.name,
      personal: organizations.personal,
      createdAt: organizations.createdAt,
      role: organizationMembers.role,
    })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId));

const firstPageOfOrganizations = (db: Db) =>
  prepared(db, 'organizations_first_page', (d) =>
    memberships(d)
      .where(eq(organizationMembers.userId, sql.placeholder('userId')))
      .orderBy(asc(organizations.createdAt), asc(organizations.id))
      .limit(sql.placeholder('limit'))
      .prepare('organizations_first_page'),
  );

/** The caller's organizations with their role, oldest first; the first page by a prepared statement. */
export async function listOrganizations(
  ctx: OrgContext,
  actor: Actor,
  page: PageInput,
): Promise<Page<OrganizationView>> {
  const { userId } = actor;
  const after = decodeCursor(page.cursor, TimeIdCursor);
  const rows = !after
    ? await firstPageOfOrganizations(ctx.db).execute({ userId, limit: page.limit + 1 })
    : await memberships(ctx.db)
        .where(
          and(
            eq(organizationMembers.userId, userId),
            or(
              gt(organizations.createdAt, new Date(after[0])),
              and(eq(organizations.createdAt, new Date(after[0])), gt(organizations.id, after[1])),
            ),
          ),
        )
        .orderBy(asc(organizations.createdAt), asc(organizations.id))
        .limit(page.limit + 1);
  return toPage(
    rows,
    page.limit,
    (r) => view(r, r.role),
    (r) => [r.createdAt.toISOString(), r.id],
  );
}

/** `role` is the caller's, as the route's authorization found it: the view shows it without asking again. */
export async function getOrganization(
  ctx: OrgContext,
  _actor: Actor,
  input: { orgId: string; role: OrgRole },
): Promise<OrganizationView> {
  const { orgId, role } = input;
  const [org] = await ctx.db.select().from(organizations).where(eq(organizations.id, orgId));
  if (!org) throw orgNotFound();
  return view(org, role);
}

export async function renameOrganization(
  ctx: OrgContext,
  actor: Actor,
  input: { orgId: string; name: string },
) {
  const { orgId, name } = input;
  return ctx.db.transaction(async (tx) => {
    const [org] = await tx
      .update(organizations)
      .set({ name, updatedAt: ctx.now() })
      .where(eq(organizations.id, orgId))
      .returning();
    if (!org) throw orgNotFound();
    await audit(tx, {
      ...auditMeta(actor),
      action: 'organization.renamed',
      organizationId: orgId,
      targetType: 'organization',
      targetId: orgId,
      data: { name },
    });
    return view(org, 'admin');
  });
}

/** Refused while workspaces exist: their vClusters and bills must be ended first, deliberately. */
export async function deleteOrganization(ctx: OrgContext, actor: Actor, input: { orgId: string }) {
  const { orgId } = input;
  await authzTransaction(authzOf(ctx), { orgs: [orgId] }, async (tx) => {
    // Lock the organization so a workspace cannot be created between the check and the delete.
    const [org] = await tx
      .select({ id: organizations.id })
      .from(organizations)
      .where(eq(organizations.id, orgId))
      .for('update');
    if (!org) throw orgNotFound();
    const [ws] = await tx.select({ n: count() }).from(workspaces).where(eq(workspaces.organizationId, orgId));
    if (ws!.n > 0) {
      throw new ConflictError(
        `The organization still has ${ws!.n} workspace(s); delete them first.`,
        'ORGANIZATION_HAS_WORKSPACES',
      );
    }
    // The audit row outlives the organization only as a user-level record: its organization id is cleared.
    await audit(tx, {
      ...auditMeta(actor),
      action: 'organization.deleted',
      organizationId: null,
      targetType: 'organization',
      targetId: orgId,
    });
    await tx.delete(organizations).where(eq(organizations.id, orgId));
  });
}
