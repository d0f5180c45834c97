import type { Db } from '../db';
import { apply, clusterFromKubeconfig, prune } from '../k8s/apply';
import { KubeError } from '../k8s/rest';
import { allObjects, type DesiredVCluster } from './desired';
import { CONDITION, REASON, setProjectStatuses } from './status';
import type { StatusWriter } from './writer';

const reasonOf = (err: unknown) =>
  err instanceof KubeError ? (err.serverMessage ?? err.message) : (err as Error).message;

/**
 * What lives inside the vCluster: cluster-wide RBAC first (a failure there is the workspace's and propagates), then
 * each project on its own, so a namespace that cannot be created marks that project ERROR with the API server's
 * reason and the others still become ACTIVE. The vCluster is the tenant's to change, so nothing it refuses is
 * terminal: what it refuses shows in RBACSynced / ProjectsSynced and the next pass tries again.
 */
export async function syncInsideVCluster(
  db: Db,
  adminKubeconfig: string,
  desired: DesiredVCluster,
  status: StatusWriter,
): Promise<void> {
  const cluster = clusterFromKubeconfig(adminKubeconfig);
  await status.step(CONDITION.rbac, () => apply(cluster, desired.cluster));
  status.condition({
    type: CONDITION.rbac,
    status: 'True',
    reason: REASON.applied,
    message: 'Roles and bindings match the workspace',
  });

  const failed = await status.step(CONDITION.projects, async () => {
    const results: { id: string; name: string; status: 'ACTIVE' | 'ERROR'; message: string | null }[] = [];
    for (const p of desired.projects) {
      try {
        await apply(cluster, p.objects);
        results.push({ id: p.id, name: p.name, status: 'ACTIVE', message: null });
      } catch (err) {
        if (!(err instanceof KubeError) || err.status >= 500) throw err; // transient: retry the whole pass
        results.push({
          id: p.id,
          name: p.name,
          status: 'ERROR',
          message: `Namespace ${p.name} could not be set up: ${reasonOf(err)}`,
        });
      }
    }
    await setProjectStatuses(db, results);
    // A failed project's objects are still desired, so prune leaves them be; everything else unwanted goes.
    await prune(cluster, allObjects(desired));
    return results.filter((r) => r.status === 'ERROR');
  });
  status.condition(
    failed.length
      ? {
          type: CONDITION.projects,
          status: 'False',
          reason: REASON.projectFailed,
          message: `${failed.length} project(s) could not be set up: ${failed.map((f) => f.name).join(', ')}`,
        }
      : {
          type: CONDITION.projects,
          status: 'True',
          reason: REASON.applied,
          message: 'Namespaces, quotas and limits match the projects',
        },
  );
}
