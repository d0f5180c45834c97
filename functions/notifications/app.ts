import { suspensionEmail } from '../../shared/billing/emails';
import { EVENTS } from '../../shared/events/catalog';
import { cloudEventHandler } from '../../shared/events/receive';
import { type AppOptions, createApp } from '../../shared/http/app';
import { invitationEmail } from '../../shared/orgs/invitation-links';
import type { NotificationsDeps } from './deps';
import { organizationInvitation } from './templates/organization-invitation';
import { workspacesSuspended } from './templates/workspaces-suspended';

/** Not an API operation: the dispatcher (Knative or local) posts CloudEvents here. */
export const operations = [];

/**
 * Sends requested emails. The message goes out inside the handler's inbox transaction: a crash between the
 * server's acceptance and the commit sends it twice, never zero times. The mailer's errors decide what the
 * dispatcher does: 503 (unreachable, timeout, 4xx) is retried with backoff, 422 (a 5xx refusal) dead-lettered.
 */
export function createNotificationsApp(deps: NotificationsDeps, app: AppOptions) {
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
      accepts: [EVENTS.emailRequested],
      handle: async (tx, event) => {
        if (event.data.template === 'workspaces-suspended') {
          const log = deps.log.child({ eventId: event.id });
          const email = await suspensionEmail(tx, deps.orgs.publicUrl, event.data);
          if (!email) return void log.info('no suspended workspace or verified admin left: no email sent');
          for (const m of await workspacesSuspended(email)) await deps.mailer.send(m);
          return void log.info({ recipients: email.to.length }, 'suspension email sent');
        }
        const { invitationId } = event.data;
        const log = deps.log.child({ eventId: event.id, invitationId });
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
