import type { Db } from '../../shared/db';
import type { Platform } from '../../shared/platform';

export type StripeWebhooksDeps = { db: Db; webhookSecret: string | undefined };

export const fromPlatform = (p: Platform): StripeWebhooksDeps => ({
  db: p.db,
  webhookSecret: p.env.STRIPE_WEBHOOK_SECRET,
});
