import { eq } from 'drizzle-orm';
import { invalidate } from '../authz';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import { workspaces } from '../db/schema';
import { hostNamespace, RELEASE } from '../k8s/names';
import { releaseDedicatedNodes } from '../k8s/nodes';
import type { Kube } from '../k8s/rest';
import { progressTask } from './status';

/**
 * Deletion, with the intent recorded first (the row's deletionRequestedAt): the release goes, then the dedicated
 * nodes are released (nothing of the tenant runs on them any more), then the host namespace, and the row last, so
 * an interrupted deletion resumes where it stopped. `notYet` builds the error that asks to be called again.
 */
export async function deleteWorkspaceResources(
  { db, authzCache }: { db: Db; authzCache: VersionedCache },
  host: Kube,
  wsId: string,
  notYet: (why: string) => Error,
) {
  const ns = hostNamespace(wsId);
  const release = { kind: 'HelmRelease', name: RELEASE, namespace: ns };
  await host.delete(release);
  await progressTask(db, wsId, { status: 'running', progress: 50, message: 'Removing the vCluster' });
  if (await host.get(release)) throw notYet('waiting for the HelmRelease to be uninstalled');
  await releaseDedicatedNodes(host, wsId);
  await host.delete({ kind: 'Namespace', name: ns });
  if (await host.get({ kind: 'Namespace', name: ns }))
    throw notYet('waiting for the host namespace to be deleted');
  await progressTask(db, wsId, { status: 'succeeded', progress: 100, message: 'Workspace deleted' });
  await db.delete(workspaces).where(eq(workspaces.id, wsId));
  await invalidate(authzCache, { workspaces: [wsId] });
}
