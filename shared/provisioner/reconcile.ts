import { eq } from 'drizzle-orm';
import type { Db } from '../db';
import { type Condition, plans, workspaces } from '../db/schema';
import { apply, clusterFromKubeconfig, prune } from '../k8s/apply';
import { desiredVClusterObjects } from '../k8s/desired';
import {
  authenticationConfigMap,
  type ChartOptions,
  helmRelease,
  isolation,
  type WorkspaceSpec,
  workspaceNamespace,
} from '../k8s/host-objects';
import { hostNamespace, KUBECONFIG_SECRET, RELEASE } from '../k8s/names';
import { credentialsFromKubeconfig, type Kube } from '../k8s/rest';
import type { Logger } from '../log';
import type { ResourceLimits } from '../plans';
import { progressTask, setStatus, withCondition } from './status';

/** Not done yet, nothing wrong: the caller retries later (5xx to the dispatcher, or the next tick). */
export class Requeue extends Error {}

export type ProvisionerDeps = { db: Db; host: Kube | undefined; chart: ChartOptions; log: Logger };

export type Outcome = 'gone' | 'running' | 'error' | 'no-host';

/**
 * Level-triggered reconcile of one workspace, controller-style: read the rows, move the world one step toward
 * them, record conditions, and ask to be called again (Requeue) while something is still converging.
 */
export async function reconcileWorkspace(deps: ProvisionerDeps, wsId: string): Promise<Outcome> {
  const { db, host } = deps;
  const [ws] = await db.select().from(workspaces).where(eq(workspaces.id, wsId));
  if (!ws) return 'gone';
  if (!host) {
    await setStatus(db, wsId, {
      statusMessage: 'No host cluster is configured (set KUBECONFIG); the workspace waits to be provisioned.',
    });
    return 'no-host';
  }
  const ns = hostNamespace(wsId);
  const release = { kind: 'HelmRelease', name: RELEASE, namespace: ns };
  if (ws.deletionRequestedAt) {
    await host.delete(release);
    await progressTask(db, wsId, { status: 'running', progress: 50, message: 'Removing the vCluster' });
    if (await host.get(release)) throw new Requeue('waiting for the HelmRelease to be uninstalled');
    await host.delete({ kind: 'Namespace', name: ns });
    if (await host.get({ kind: 'Namespace', name: ns }))
      throw new Requeue('waiting for the host namespace to be deleted');
    await progressTask(db, wsId, { status: 'succeeded', progress: 100, message: 'Workspace deleted' });
    await db.delete(workspaces).where(eq(workspaces.id, wsId));
    return 'gone';
  }

  const [plan] = await db.select().from(plans).where(eq(plans.id, ws.planId));
  const spec: WorkspaceSpec = {
    id: wsId,
    organizationId: ws.organizationId,
    limits: plan!.resourceLimits as ResourceLimits,
    dedicatedNodes: (ws.dedicatedNodeConfig as WorkspaceSpec['dedicatedNodes']) ?? null,
  };
  let conditions = ws.conditions;
  if (ws.status === 'PENDING_CREATION')
    await setStatus(db, wsId, { status: 'PROVISIONING', statusMessage: null });
  await progressTask(db, wsId, { status: 'running', progress: 20, message: 'Preparing the host namespace' });
  await apply(host, [
    workspaceNamespace(spec),
    isolation(spec),
    authenticationConfigMap(spec, deps.chart),
    helmRelease(spec, deps.chart),
  ]);
  conditions = withCondition(conditions, {
    type: 'HostNamespaceReady',
    status: 'True',
    reason: 'Applied',
    message: `Namespace ${ns} and the vcluster HelmRelease are applied`,
  });

  const hr = (await host.get(release)) as {
    metadata: { generation: number };
    status?: { conditions?: (Condition & { observedGeneration?: number })[] };
  };
  const ready = hr.status?.conditions?.find((c) => c.type === 'Ready');
  const current = ready && (ready.observedGeneration ?? 0) >= hr.metadata.generation;
  if (current && ready.status === 'False') {
    conditions = withCondition(conditions, {
      type: 'VClusterReady',
      status: 'False',
      reason: ready.reason,
      message: ready.message,
    });
    await setStatus(db, wsId, {
      status: 'ERROR',
      statusMessage: `The vCluster could not be installed: ${ready.message}`,
      conditions,
    });
    await progressTask(db, wsId, { status: 'failed', progress: 100, message: ready.message });
    return 'error';
  }
  const secret = await host.get<{ data?: Record<string, string> }>({
    kind: 'Secret',
    name: KUBECONFIG_SECRET,
    namespace: ns,
  });
  if (!current || ready.status !== 'True' || !secret?.data?.config) {
    conditions = withCondition(conditions, {
      type: 'VClusterReady',
      status: 'Unknown',
      reason: 'Installing',
      message: 'Waiting for the vCluster to become ready',
    });
    await setStatus(db, wsId, { conditions });
    await progressTask(db, wsId, { status: 'running', progress: 40, message: 'Installing the vCluster' });
    throw new Requeue('vCluster not ready yet');
  }
  conditions = withCondition(conditions, {
    type: 'VClusterReady',
    status: 'True',
    reason: 'Ready',
    message: 'The vCluster is ready',
  });
  await setStatus(db, wsId, { status: ws.status === 'UPDATING' ? 'UPDATING' : 'CONFIGURING', conditions });
  await progressTask(db, wsId, { status: 'running', progress: 70, message: 'Configuring RBAC and projects' });

  // The admin kubeconfig stays in this process: used for the reconcile, never returned or logged.
  const kubeconfig = Buffer.from(secret.data.config, 'base64').toString();
  const cluster = clusterFromKubeconfig(kubeconfig);
  const desired = await desiredVClusterObjects(db, wsId);
  await apply(cluster, desired);
  await prune(cluster, desired);
  conditions = withCondition(conditions, {
    type: 'RBACSynced',
    status: 'True',
    reason: 'Applied',
    message: 'Roles and bindings match the workspace',
  });
  conditions = withCondition(conditions, {
    type: 'ProjectsSynced',
    status: 'True',
    reason: 'Applied',
    message: 'Namespaces, quotas and limits match the projects',
  });
  // What users' kubeconfigs need (never the admin credential): the API endpoint and its CA.
  const { server, ca } = credentialsFromKubeconfig(kubeconfig);
  await setStatus(db, wsId, {
    status: 'RUNNING',
    statusMessage: null,
    conditions,
    observedGeneration: ws.generation,
    endpoint: server,
    endpointCa: ca ?? null,
  });
  await progressTask(db, wsId, { status: 'succeeded', progress: 100, message: 'Workspace is running' });
  return 'running';
}

/** The periodic safety net: every workspace, one at a time; a failure in one does not stop the others. */
export async function reconcileAll(
  deps: ProvisionerDeps,
): Promise<Record<string, Outcome | 'requeue' | 'failed'>> {
  const out: Record<string, Outcome | 'requeue' | 'failed'> = {};
  for (const { id } of await deps.db.select({ id: workspaces.id }).from(workspaces)) {
    try {
      out[id] = await reconcileWorkspace(deps, id);
    } catch (err) {
      out[id] = err instanceof Requeue ? 'requeue' : 'failed';
      if (!(err instanceof Requeue))
        deps.log.warn({ workspaceId: id, err: (err as Error).message }, 'reconcile failed');
    }
  }
  return out;
}
