import { asc, eq, sql } from 'drizzle-orm';
import type { Actor } from '../audit';
import type { Db } from '../db';
import { prepared } from '../db/prepared';
import { organizationMembers, organizations, users } from '../db/schema';
import { NotFoundError } from '../errors';
import type { AuthContext } from './context';

export type Me = {
  id: string;
  email: string;
  displayName: string;
  organizations: { id: string; name: string; role: 'admin' | 'member' }[];
};

const meQuery = (db: Db) =>
  prepared(db, 'me_with_organizations', (d) =>
    d
      .select({
        id: users.id,
        email: users.email,
        displayName: users.displayName,
        orgId: organizations.id,
        orgName: organizations.name,
        role: organizationMembers.role,
      })
      .from(users)
      .leftJoin(organizationMembers, eq(organizationMembers.userId, users.id))
      .leftJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
      .where(eq(users.id, sql.placeholder('userId')))
      .orderBy(asc(organizations.createdAt), asc(organizations.id))
      .prepare('me_with_organizations'),
  );

/** One query: the actor with their organizations (a left join, so a user in none still comes back). */
export async function getMe(ctx: Pick<AuthContext, 'db'>, actor: Actor): Promise<Me> {
  const rows = await meQuery(ctx.db).execute({ userId: actor.userId });
  const user = rows[0];
  if (!user) throw new NotFoundError('The user no longer exists.');
  const orgs = rows.flatMap((r) =>
    r.orgId && r.orgName && r.role ? [{ id: r.orgId, name: r.orgName, role: r.role }] : [],
  );
  return { id: user.id, email: user.email, displayName: user.displayName, organizations: orgs };
}
