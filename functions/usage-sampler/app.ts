import { EVENTS } from '../../shared/events/catalog';
import { cloudEventHandler } from '../../shared/events/receive';
import { USAGE_EVENTS } from '../../shared/events/triggers';
import { type AppOptions, createApp } from '../../shared/http/app';
import { registerUsageMetrics } from '../../shared/observability/usage';
import { requestSamples, sampleWorkspace } from '../../shared/usage/sampler';
import type { UsageSamplerDeps } from './deps';

export const operations = [];

/**
 * The usage sampler: the usage tick fans out one request per serving workspace, and each request samples that
 * workspace's vCluster (shared/usage/sampler.ts). Level-triggered and leased per workspace, so no inbox row: a
 * redelivered request finds the lease held or the sample fresh. A vCluster that does not answer is recorded as
 * stale and answered 200: the next tick asks again, retries would only pile up behind a dead cluster.
 */
export function createUsageSamplerApp(deps: UsageSamplerDeps, app: AppOptions) {
  if (app.registry) registerUsageMetrics(app.registry, deps.db, { intervalSeconds: deps.intervalSeconds });
  const a = createApp({
    ...app,
    name: 'usage-sampler',
    bodyTypes: ['application/json', 'application/cloudevents+json'],
  });
  a.post(
    '/events',
    cloudEventHandler({
      db: deps.db,
      consumer: 'usage-sampler',
      once: false,
      accepts: USAGE_EVENTS,
      handle: async (_db, event) => {
        if (event.type === EVENTS.usageTick.type) return void (await requestSamples(deps));
        await sampleWorkspace(deps, event.data.workspaceId);
      },
    }),
  );
  return a;
}
