import type { Platform } from '../../shared/platform';
import { chartOptions, hostCluster } from '../../shared/provisioner/host';
import type { ProvisionerDeps as ReconcileDeps } from '../../shared/provisioner/reconcile';

/** The reconciler's dependencies, and how long a settled workspace may go without a full pass on the tick. */
export type ProvisionerDeps = ReconcileDeps & { resyncSeconds: number };

export const fromPlatform = (p: Platform): ProvisionerDeps => ({
  db: p.db,
  authzCache: p.authz.cache,
  host: hostCluster(p.env),
  chart: chartOptions(p.env),
  log: p.log,
  resyncSeconds: p.env.HEXABASE_PROVISIONER_RESYNC_SECONDS,
});
