import * as z from 'zod';
import type { KeyStore } from '../../shared/auth/keys';
import type { Db } from '../../shared/db';
import { cloudEventHandler } from '../../shared/events/receive';
import { RECONCILE_TICK_TYPES } from '../../shared/events/triggers';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import type { Logger } from '../../shared/log';
import type { Platform } from '../../shared/platform';

export type KeyRotationDeps = {
  db: Db;
  keys: KeyStore;
  /** HEXABASE_SIGNING_KEY_ROTATION_DAYS; 0 turns the schedule off. */
  rotationDays: number;
  log: Logger;
};

/** Not an API operation: the reconcile tick (local scheduler or Knative PingSource) is posted here. */
export const operations = [];

const DAY_MS = 86_400_000;

export const keyRotationDeps = (p: Platform): KeyRotationDeps => ({
  db: p.db,
  keys: p.auth.auth.keys,
  rotationDays: p.env.HEXABASE_SIGNING_KEY_ROTATION_DAYS,
  log: p.log,
});

/**
 * Rotates the token-signing key once it is older than the period. Every tick asks; the key store decides under
 * its advisory lock, so concurrent or redelivered ticks and any number of replicas rotate once per period. The
 * question is level-triggered, hence no inbox row: a repeated tick finds a young key and does nothing.
 */
export function createKeyRotationApp(deps: KeyRotationDeps, app: Omit<CreateAppOptions, 'name'>) {
  const a = createApp({
    ...app,
    name: 'key-rotation',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post(
    '/events',
    cloudEventHandler({
      db: deps.db,
      consumer: 'key-rotation',
      once: false,
      types: RECONCILE_TICK_TYPES,
      // Tick payloads differ (the scheduler's `{at}`, PingSource's configured data) and carry nothing needed.
      schema: z.unknown(),
      handle: async () => {
        if (deps.rotationDays === 0) return;
        const r = await deps.keys.rotate({ olderThanMs: deps.rotationDays * DAY_MS, reason: 'schedule' });
        if (r.rotated) deps.log.info({ kid: r.kid, retired: r.retired }, 'signing key rotated');
      },
    }),
  );
  return a;
}
