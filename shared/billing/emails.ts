import { and, eq, inArray } from 'drizzle-orm';
import type { Db } from '../db';
import { organizationMembers, organizations, users, workspaces } from '../db/schema';

export type SuspensionEmail = {
  to: string[];
  organization: { id: string; name: string };
  workspaces: { id: string; name: string }[];
  billingUrl: string;
};

/**
 * What the "workspaces suspended" email says, read when it is sent: the organization's admins (verified addresses
 * only, so that a stranger's address cannot receive it) and the workspaces still suspended by then.
 */
export async function suspensionEmail(
  db: Db,
  publicUrl: string,
  input: { organizationId: string; workspaceIds: string[] },
): Promise<SuspensionEmail | undefined> {
  const [org] = await db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, input.organizationId));
  if (!org) return undefined;
  const suspended = (
    await db
      .select({ id: workspaces.id, name: workspaces.name, suspendedAt: workspaces.suspendedAt })
      .from(workspaces)
      .where(and(eq(workspaces.organizationId, org.id), inArray(workspaces.id, input.workspaceIds)))
  ).filter((w) => w.suspendedAt !== null);
  const admins = await db
    .select({ email: users.email })
    .from(organizationMembers)
    .innerJoin(users, eq(users.id, organizationMembers.userId))
    .where(
      and(
        eq(organizationMembers.organizationId, org.id),
        eq(organizationMembers.role, 'admin'),
        eq(users.emailVerified, true),
      ),
    );
  if (suspended.length === 0 || admins.length === 0) return undefined;
  return {
    to: admins.map((a) => a.email),
    organization: org,
    workspaces: suspended.map(({ id, name }) => ({ id, name })),
    billingUrl: new URL(`/orgs/${org.id}/billing`, publicUrl).toString(),
  };
}
