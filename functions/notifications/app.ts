import { eq } from 'drizzle-orm';
import { z } from 'zod';
import { unseal } from '../../shared/auth/seal';
import type { Db } from '../../shared/db';
import { invitations, organizations } from '../../shared/db/schema';
import { cloudEventHandler } from '../../shared/events/receive';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import type { Logger } from '../../shared/log';

export type NotificationsDeps = { db: Db; kek: Buffer; publicUrl: string; devLogin: boolean; log: Logger };

/** Not an API operation: the dispatcher (Knative or local) posts CloudEvents here. */
export const operations = [];

const EmailRequested = z.object({
  template: z.literal('organization-invitation'),
  invitationId: z.string().min(1),
  organizationId: z.string().min(1),
});

/**
 * Sends requested emails. No mail transport exists yet, so the message is composed and logged; local runs (dev
 * login on) include the accept link so that invitations can be accepted by hand.
 */
export function createNotificationsApp(deps: NotificationsDeps, app: Omit<CreateAppOptions, 'name'>) {
  const a = createApp({
    ...app,
    name: 'notifications',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post(
    '/events',
    cloudEventHandler({
      db: deps.db,
      consumer: 'notifications-email',
      types: ['ai.hexabase.notification.email.requested'],
      schema: EmailRequested,
      handle: async (tx, event) => {
        const [inv] = await tx.select().from(invitations).where(eq(invitations.id, event.data.invitationId));
        if (inv?.status !== 'pending' || !inv.tokenEncrypted) return; // cancelled or answered meanwhile
        const [org] = await tx.select().from(organizations).where(eq(organizations.id, inv.organizationId));
        const link = `${deps.publicUrl}/invitations/accept?token=${unseal(deps.kek, inv.id, inv.tokenEncrypted)}`;
        deps.log.info(
          {
            to: inv.email,
            subject: `You are invited to ${org?.name ?? 'an organization'} on Hexabase`,
            invitationId: inv.id,
            ...(deps.devLogin ? { acceptUrl: link } : {}),
          },
          'email composed (no mail transport configured: not sent)',
        );
      },
    }),
  );
  return a;
}
