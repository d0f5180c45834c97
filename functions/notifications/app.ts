import * as z from 'zod';
import type { Db } from '../../shared/db';
import { cloudEventHandler } from '../../shared/events/receive';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import type { Logger } from '../../shared/log';
import type { Mailer } from '../../shared/mail';
import type { OrgContext } from '../../shared/orgs/context';
import { invitationEmail } from '../../shared/orgs/invitation-links';
import { organizationInvitation } from './templates/organization-invitation';

export type NotificationsDeps = { db: Db; orgs: OrgContext; mailer: Mailer; log: Logger };

/** Not an API operation: the dispatcher (Knative or local) posts CloudEvents here. */
export const operations = [];

const EmailRequested = z.object({
  template: z.literal('organization-invitation'),
  invitationId: z.string().min(1),
  organizationId: z.string().min(1),
});

/**
 * Sends requested emails. The message goes out inside the handler's inbox transaction: a crash between the
 * server's acceptance and the commit sends it twice, never zero times. The mailer's errors decide what the
 * dispatcher does: 503 (unreachable, timeout, 4xx) is retried with backoff, 422 (a 5xx refusal) dead-lettered.
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
        const { invitationId, organizationId } = event.data;
        const log = deps.log.child({ eventId: event.id, invitationId, orgId: organizationId });
        const email = await invitationEmail({ ...deps.orgs, db: tx }, invitationId);
        if (!email) {
          log.info('invitation answered, cancelled or expired meanwhile: no email sent');
          return;
        }
        const sent = await deps.mailer.send(await organizationInvitation(email));
        log.info({ messageId: sent.messageId, via: deps.mailer.kind }, 'invitation email sent');
      },
    }),
  );
  return a;
}
