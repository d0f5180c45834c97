import { signedInApi } from '../../shared/auth/middleware';
import { type AppOptions, createApp } from '../../shared/http/app';
import { noStore } from '../../shared/http/no-store';
import { mountOperations } from '../../shared/http/openapi';
import type { WorkspacesDeps } from './deps';
import { addGroupMemberOperation } from './routes/add-group-member';
import { addWorkspaceMemberOperation } from './routes/add-workspace-member';
import { assignClusterRoleOperation } from './routes/assign-cluster-role';
import { changePlanOperation } from './routes/change-plan';
import { createGroupOperation } from './routes/create-group';
import { createWorkspaceOperation } from './routes/create-workspace';
import { deleteGroupOperation } from './routes/delete-group';
import { deleteWorkspaceOperation } from './routes/delete-workspace';
import { getGroupOperation } from './routes/get-group';
import { getKubeconfigOperation } from './routes/get-kubeconfig';
import { getTaskOperation } from './routes/get-task';
import { getWorkspaceOperation } from './routes/get-workspace';
import { listClusterRoleAssignmentsOperation } from './routes/list-cluster-role-assignments';
import { listGroupMembersOperation } from './routes/list-group-members';
import { listGroupsOperation } from './routes/list-groups';
import { listWorkspaceMembersOperation } from './routes/list-workspace-members';
import { listWorkspacesOperation } from './routes/list-workspaces';
import { removeGroupMemberOperation } from './routes/remove-group-member';
import { removeWorkspaceMemberOperation } from './routes/remove-workspace-member';
import { unassignClusterRoleOperation } from './routes/unassign-cluster-role';
import { updateGroupOperation } from './routes/update-group';

export const operations = [
  createWorkspaceOperation,
  listWorkspacesOperation,
  getWorkspaceOperation,
  changePlanOperation,
  deleteWorkspaceOperation,
  getKubeconfigOperation,
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

export function createWorkspacesApp(deps: WorkspacesDeps, app: AppOptions) {
  const a = createApp({ ...app, name: 'workspaces' });
  // Both modes: token mode embeds an ID token, exec mode names the issuer and CA a user's CLI will trust.
  a.get('/api/v1/organizations/:orgId/workspaces/:wsId/kubeconfig', noStore());
  a.use('/api/v1/*', ...signedInApi(deps.auth.auth, deps.db));
  return mountOperations(a, operations, deps);
}
