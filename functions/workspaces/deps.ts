import type { Auth } from '../../shared/auth';
import type { Authz } from '../../shared/authz';
import type { Db } from '../../shared/db';
import { type NodePool, nodePool } from '../../shared/k8s/nodes';
import type { Platform } from '../../shared/platform';
import { hostCluster } from '../../shared/provisioner/host';

/** `nodes` claims dedicated nodes on the host cluster at request time (409 when there are not enough). */
export type WorkspacesDeps = { db: Db; authz: Authz; auth: Auth; nodes: NodePool; billingEnabled?: boolean };

export const fromPlatform = (p: Platform): WorkspacesDeps => ({
  db: p.db,
  authz: p.authz,
  auth: p.auth,
  nodes: nodePool(hostCluster(p.env)),
  billingEnabled: p.env.STRIPE_SECRET_KEY !== undefined,
});
