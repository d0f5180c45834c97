import type { Auth } from '../../shared/auth';
import { authenticate, csrfProtection, requireAuth } from '../../shared/auth/middleware';
import type { Authz } from '../../shared/authz';
import type { Db } from '../../shared/db';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import { idempotency } from '../../shared/http/idempotency';
import { noStore } from '../../shared/http/no-store';
import { mountOperations } from '../../shared/http/openapi';
import type { NodePool } from '../../shared/k8s/nodes';
import {
  assignClusterRoleOperation,
  listClusterRoleAssignmentsOperation,
  unassignClusterRoleOperation,
} from './routes/cluster-role-assignments';
import {
  addGroupMemberOperation,
  listGroupMembersOperation,
  removeGroupMemberOperation,
} from './routes/group-members';
import {
  createGroupOperation,
  deleteGroupOperation,
  getGroupOperation,
  listGroupsOperation,
  updateGroupOperation,
} from './routes/groups';
import { kubeconfigOperation } from './routes/kubeconfig';
import {
  addWorkspaceMemberOperation,
  listWorkspaceMembersOperation,
  removeWorkspaceMemberOperation,
} from './routes/members';
import { getTaskOperation } from './routes/tasks';
import {
  changePlanOperation,
  createWorkspaceOperation,
  deleteWorkspaceOperation,
  getWorkspaceOperation,
  listWorkspacesOperation,
} from './routes/workspaces';

/** `nodes` claims dedicated nodes on the host cluster at request time (409 when there are not enough). */
export type WorkspacesDeps = { db: Db; authz: Authz; auth: Auth; nodes: NodePool };

export const operations = [
  createWorkspaceOperation,
  listWorkspacesOperation,
  getWorkspaceOperation,
  changePlanOperation,
  deleteWorkspaceOperation,
  kubeconfigOperation,
  getTaskOperation,
  listWorkspaceMembersOperation,
  addWorkspaceMemberOperation,
  removeWorkspaceMemberOperation,
  listGroupsOperation,
  createGroupOperation,
  getGroupOperation,
  updateGroupOperation,
  deleteGroupOperation,
  listGroupMembersOperation,
  addGroupMemberOperation,
  removeGroupMemberOperation,
  listClusterRoleAssignmentsOperation,
  assignClusterRoleOperation,
  unassignClusterRoleOperation,
];

export function createWorkspacesApp(deps: WorkspacesDeps, app: Omit<CreateAppOptions, 'name'>) {
  const a = createApp({ ...app, name: 'workspaces' });
  // Both modes: token mode embeds an ID token, exec mode names the issuer and CA a user's CLI will trust.
  a.get('/api/v1/organizations/:orgId/workspaces/:wsId/kubeconfig', noStore());
  a.use(
    '/api/v1/*',
    authenticate(deps.auth.auth),
    requireAuth(),
    csrfProtection(deps.auth.auth),
    idempotency(deps.db),
  );
  return mountOperations(a, operations, deps);
}
