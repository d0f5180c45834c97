import type { Db } from '../db';
import type { Condition } from '../db/schema';
import { apply, clusterFromKubeconfig, prune } from '../k8s/apply';
import { KubeError } from '../k8s/rest';
import { allObjects, desiredVCluster } from './desired';
import { CONDITION, setProjectStatuses, withCondition } from './status';

const reasonOf = (err: unknown) =>
  err instanceof KubeError ? (err.serverMessage ?? err.message) : (err as Error).message;

/**
 * What lives inside the vCluster: cluster-wide RBAC first (a failure there is the workspace's and propagates), then
 * each project on its own, so a namespace that cannot be created marks that project ERROR with the API server's
 * reason and the others still become ACTIVE.
 */
export async function syncInsideVCluster(
  db: Db,
  wsId: string,
  adminKubeconfig: string,
  conditions: Condition[],
): Promise<Condition[]> {
  const cluster = clusterFromKubeconfig(adminKubeconfig);
  const desired = await desiredVCluster(db, wsId);
  await apply(cluster, desired.cluster);
  let next = withCondition(conditions, {
    type: CONDITION.rbac,
    status: 'True',
    reason: 'Applied',
    message: 'Roles and bindings match the workspace',
  });

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
  const failed = results.filter((r) => r.status === 'ERROR');
  // A failed project's objects are still desired, so prune leaves them be; everything else unwanted goes.
  await prune(cluster, allObjects(desired));
  next = withCondition(
    next,
    failed.length
      ? {
          type: CONDITION.projects,
          status: 'False',
          reason: 'ProjectFailed',
          message: `${failed.length} project(s) could not be set up: ${failed.map((f) => f.name).join(', ')}`,
        }
      : {
          type: CONDITION.projects,
          status: 'True',
          reason: 'Applied',
          message: 'Namespaces, quotas and limits match the projects',
        },
  );
  return next;
}
