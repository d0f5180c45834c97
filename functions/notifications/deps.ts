import type { Db } from '../../shared/db';
import type { Logger } from '../../shared/log';
import { createMailer, type Mailer, mailSettings } from '../../shared/mail';
import type { OrgContext } from '../../shared/orgs/context';
import type { Platform } from '../../shared/platform';

export type NotificationsDeps = { db: Db; orgs: OrgContext; mailer: Mailer; log: Logger };

export const fromPlatform = (p: Platform): NotificationsDeps => ({
  db: p.db,
  orgs: p.orgs,
  mailer: createMailer(mailSettings(p.env), p.log),
  log: p.log,
});
