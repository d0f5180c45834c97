import { TICKS } from '../../shared/events/catalog';
import { cloudEventHandler } from '../../shared/events/receive';
import { type AppOptions, createApp } from '../../shared/http/app';
import type { KeyRotationDeps } from './deps';

/** Not an API operation: the reconcile tick (local scheduler or Knative PingSource) is posted here. */
export const operations = [];

const DAY_MS = 86_400_000;

/**
 * Rotates the token-signing key once it is older than the period. Every tick asks; the key store decides under
 * its advisory lock, so concurrent or redelivered ticks and any number of replicas rotate once per period. The
 * question is level-triggered, hence no inbox row: a repeated tick finds a young key and does nothing.
 */
export function createKeyRotationApp(deps: KeyRotationDeps, app: AppOptions) {
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
      accepts: TICKS,
      handle: async () => {
        if (deps.rotationDays === 0) return;
        const r = await deps.keys.rotate({ olderThanMs: deps.rotationDays * DAY_MS, reason: 'schedule' });
        if (r.rotated) deps.log.info({ kid: r.kid, retired: r.retired }, 'signing key rotated');
      },
    }),
  );
  return a;
}
