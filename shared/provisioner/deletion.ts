import { eq } from 'drizzle-orm';
import { invalidate } from '../authz';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import { workspaces } from '../db/schema';
import { hostNamespace, RELEASE } from '../k8s/names';
import { releaseDedicatedNodes } from '../k8s/nodes';
import type { Kube } from '../k8s/rest';
import { Requeue } from './errors';
import { REASON } from './status';
import type { StatusWriter } from './writer';

/**
 * Deletion, with the intent recorded first (the row's deletionRequestedAt): the release goes, then the dedicated
 * nodes are released (nothing of the tenant runs on them any more), then the host namespace, and the row last, so
 * an interrupted deletion resumes where it stopped. The finished task is written before the row goes, so a crash
 * in between cannot leave it open forever.
 */
export async function deleteWorkspaceResources(
  { db, authzCache }: { db: Db; authzCache: VersionedCache },
  host: Kube,
  wsId: string,
  status: StatusWriter,
) {
  const ns = hostNamespace(wsId);
  const release = { kind: 'HelmRelease', name: RELEASE, namespace: ns };
  await status.step(
    null,
    async () => {
      await host.delete(release);
      status.task('running', 50, 'Removing the vCluster');
      if (await host.get(release))
        throw new Requeue('waiting for the HelmRelease to be uninstalled', REASON.deleting);
      await releaseDedicatedNodes(host, wsId);
      await host.delete({ kind: 'Namespace', name: ns });
      if (await host.get({ kind: 'Namespace', name: ns }))
        throw new Requeue('waiting for the host namespace to be deleted', REASON.deleting);
    },
    { host: true },
  );
  status.task('succeeded', 100, 'Workspace deleted');
  await status.flush();
  await db.delete(workspaces).where(eq(workspaces.id, wsId));
  await invalidate(authzCache, { workspaces: [wsId] });
}
