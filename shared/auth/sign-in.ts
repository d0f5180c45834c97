import { and, eq, sql } from 'drizzle-orm';
import { audit } from '../audit';
import type { Db } from '../db';
import { identities, organizationMembers, organizations, users } from '../db/schema';
import { BadRequestError } from '../errors';
import { newId } from '../ids';
import type { AuthContext, RequestMeta } from './context';
import { createSession, type TokenPair, withAccessToken } from './sessions';

/** What a provider vouches for after a successful sign-in. */
export type ExternalIdentity = {
  provider: string;
  subject: string;
  email: string | null;
  emailVerified: boolean;
  name: string | null;
};

export type SignedInUser = { id: string; email: string; displayName: string };

export type SignInResult = { user: SignedInUser; tokens: TokenPair; created: boolean };

async function findUserByIdentity(tx: Db, provider: string, subject: string) {
  const [row] = await tx
    .select({ id: users.id, email: users.email, displayName: users.displayName })
    .from(identities)
    .innerJoin(users, eq(users.id, identities.userId))
    .where(and(eq(identities.provider, provider), eq(identities.subject, subject)));
  return row;
}

/**
 * Signs a person in: the returning identity, an existing user linked through the same *verified* email, or a
 * new user with a private organization they administer — all in one transaction with the session and audit rows.
 * Advisory locks on the identity and the email make retried or concurrent callbacks converge on one user.
 */
export async function signIn(
  ctx: AuthContext,
  meta: RequestMeta,
  who: ExternalIdentity,
): Promise<SignInResult> {
  const email = who.email?.trim() || null;
  if (!email)
    throw new BadRequestError('EMAIL_REQUIRED', 'The identity provider did not share an email address.');
  const done = await ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`idn:${who.provider}:${who.subject}`}))`);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`email:${email.toLowerCase()}`}))`);
    let created = false;
    let user = await findUserByIdentity(tx, who.provider, who.subject);
    if (user) {
      await tx
        .update(identities)
        .set({ email, emailVerified: who.emailVerified, lastLoginAt: ctx.now() })
        .where(and(eq(identities.provider, who.provider), eq(identities.subject, who.subject)));
    } else {
      if (who.emailVerified) {
        [user] = await tx
          .select({ id: users.id, email: users.email, displayName: users.displayName })
          .from(users)
          .where(and(sql`lower(${users.email}) = ${email.toLowerCase()}`, eq(users.emailVerified, true)))
          .orderBy(users.createdAt)
          .limit(1);
      }
      if (!user) {
        user = await createUserWithOrganization(
          tx,
          { email, emailVerified: who.emailVerified, name: who.name },
          meta,
        );
        created = true;
      }
      await tx.insert(identities).values({
        id: newId('idn'),
        userId: user.id,
        provider: who.provider,
        subject: who.subject,
        email,
        emailVerified: who.emailVerified,
        lastLoginAt: ctx.now(),
      });
    }
    const pending = await createSession(ctx, tx, user.id, meta);
    await audit(tx, {
      action: 'user.signed_in',
      actorId: user.id,
      targetType: 'user',
      targetId: user.id,
      data: { provider: who.provider, sessionId: pending.sessionId, firstSignIn: created },
      requestId: meta.requestId ?? null,
      ip: meta.ip ?? null,
    });
    return { user, pending, created };
  });
  return { user: done.user, created: done.created, tokens: await withAccessToken(ctx, done.pending) };
}

async function createUserWithOrganization(
  tx: Db,
  who: { email: string; emailVerified: boolean; name: string | null },
  meta: RequestMeta,
): Promise<SignedInUser> {
  const displayName = (who.name?.trim() || who.email.split('@')[0] || 'user').slice(0, 200);
  const user = { id: newId('usr'), email: who.email, displayName };
  await tx.insert(users).values({ ...user, emailVerified: who.emailVerified });
  const orgId = newId('org');
  await tx.insert(organizations).values({ id: orgId, name: `${displayName}'s organization`, personal: true });
  await tx.insert(organizationMembers).values({ organizationId: orgId, userId: user.id, role: 'admin' });
  await audit(tx, {
    action: 'organization.created',
    actorId: user.id,
    organizationId: orgId,
    targetType: 'organization',
    targetId: orgId,
    data: { personal: true },
    requestId: meta.requestId ?? null,
    ip: meta.ip ?? null,
  });
  return user;
}
