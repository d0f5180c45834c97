import type { ChartOptions, WorkspaceSpec } from '../k8s/host-objects';
import type { Kube } from '../k8s/rest';
import { applyHostObjects, hostObjectsApplied } from './release';
import { CONDITION, REASON } from './status';
import type { StatusWriter } from './writer';

/** What the workspace's users read on the row and in `Ready`. */
export const SUSPENDED_MESSAGE =
  'Suspended for non-payment: the vCluster is scaled to zero; its data is kept';

/**
 * Billing suspended the workspace (its organization stayed unpaid past the grace period). The host objects are
 * applied as usual, their HelmRelease scaling the control plane to zero (shared/k8s/host-objects.ts), and that is
 * the whole step: the vCluster's API server is going away, so nothing waits for the release to be ready and nothing
 * is synced inside; the dedicated nodes stay claimed, so the workspace returns to them when it is paid. When billing
 * clears the suspension, the next pass is an ordinary update that brings the vCluster back.
 */
export async function scaleToZero(
  host: Kube,
  spec: WorkspaceSpec,
  chart: ChartOptions,
  status: StatusWriter,
): Promise<void> {
  await status.step(CONDITION.host, () => applyHostObjects(host, spec, chart), { host: true });
  status.condition(hostObjectsApplied(spec.id));
  // VClusterReady carries it, and Ready with it (the first condition that is not True), so clients see why.
  status.condition({
    type: CONDITION.vcluster,
    status: 'False',
    reason: REASON.suspended,
    message: SUSPENDED_MESSAGE,
  });
}
