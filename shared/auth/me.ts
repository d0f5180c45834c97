import { asc, eq } from 'drizzle-orm';
import { organizationMembers, organizations, users } from '../db/schema';
import { NotFoundError } from '../errors';
import type { AuthContext } from './context';

export type Me = {
  id: string;
  email: string;
  displayName: string;
  organizations: { id: string; name: string; role: 'admin' | 'member' }[];
};

export async function getMe(ctx: Pick<AuthContext, 'db'>, userId: string): Promise<Me> {
  const [user] = await ctx.db.select().from(users).where(eq(users.id, userId));
  if (!user) throw new NotFoundError('The user no longer exists.');
  const orgs = await ctx.db
    .select({ id: organizations.id, name: organizations.name, role: organizationMembers.role })
    .from(organizationMembers)
    .innerJoin(organizations, eq(organizations.id, organizationMembers.organizationId))
    .where(eq(organizationMembers.userId, userId))
    .orderBy(asc(organizations.createdAt), asc(organizations.id));
  return { id: user.id, email: user.email, displayName: user.displayName, organizations: orgs };
}
