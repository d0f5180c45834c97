import type { Platform } from '../../shared/platform';
import { hostCluster } from '../../shared/provisioner/host';
import type { SamplerDeps } from '../../shared/usage/sampler';

export type UsageSamplerDeps = SamplerDeps;

export const fromPlatform = (p: Platform): UsageSamplerDeps => ({
  db: p.db,
  host: hostCluster(p.env),
  log: p.log,
  intervalSeconds: p.env.HEXABASE_USAGE_INTERVAL_SECONDS,
});
