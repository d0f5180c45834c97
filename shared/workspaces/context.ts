import type { Authz } from '../authz';
import type { Db } from '../db';
import type { NodePool } from '../k8s/nodes';

/**
 * What the workspace verbs work through; each verb takes `(ctx, actor, input)` and names the part of this it needs.
 * Changes to who may do what (members, group members, group moves) go through `authz`, whose cache is bumped after
 * their commit. `nodes` claims dedicated nodes on the host cluster; without it a workspace cannot have any (409).
 * `billingEnabled` (STRIPE_SECRET_KEY set): a paid plan then needs the organization's payment method (402).
 */
export type WorkspacesContext = { db: Db; authz: Authz; nodes?: NodePool; billingEnabled?: boolean };
