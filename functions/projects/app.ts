import { signedInApi } from '../../shared/auth/middleware';
import { type AppOptions, createApp } from '../../shared/http/app';
import { mountOperations } from '../../shared/http/openapi';
import type { ProjectsDeps } from './deps';
import { assignRoleOperation } from './routes/assign-role';
import { createProjectOperation } from './routes/create-project';
import { createRoleOperation } from './routes/create-role';
import { deleteProjectOperation } from './routes/delete-project';
import { deleteRoleOperation } from './routes/delete-role';
import { getProjectOperation } from './routes/get-project';
import { getRoleOperation } from './routes/get-role';
import { listProjectsOperation } from './routes/list-projects';
import { listRoleAssignmentsOperation } from './routes/list-role-assignments';
import { listRolesOperation } from './routes/list-roles';
import { unassignRoleOperation } from './routes/unassign-role';
import { updateRoleOperation } from './routes/update-role';

export const operations = [
  listProjectsOperation,
  createProjectOperation,
  getProjectOperation,
  deleteProjectOperation,
  listRolesOperation,
  createRoleOperation,
  getRoleOperation,
  updateRoleOperation,
  deleteRoleOperation,
  listRoleAssignmentsOperation,
  assignRoleOperation,
  unassignRoleOperation,
];

export function createProjectsApp(deps: ProjectsDeps, app: AppOptions) {
  const a = createApp({ ...app, name: 'projects' });
  a.use('/api/v1/*', ...signedInApi(deps.auth.auth, deps.db));
  return mountOperations(a, operations, deps);
}
