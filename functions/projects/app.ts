import type { Auth } from '../../shared/auth';
import { authenticate, csrfProtection, requireAuth } from '../../shared/auth/middleware';
import type { Authz } from '../../shared/authz';
import type { Db } from '../../shared/db';
import { type CreateAppOptions, createApp } from '../../shared/http/app';
import { idempotency } from '../../shared/http/idempotency';
import { mountOperations } from '../../shared/http/openapi';
import {
  createProjectOperation,
  deleteProjectOperation,
  getProjectOperation,
  listProjectsOperation,
} from './routes/projects';
import {
  assignRoleOperation,
  listRoleAssignmentsOperation,
  unassignRoleOperation,
} from './routes/role-assignments';
import {
  createRoleOperation,
  deleteRoleOperation,
  getRoleOperation,
  listRolesOperation,
  updateRoleOperation,
} from './routes/roles';

export type ProjectsDeps = { db: Db; authz: Authz; auth: Auth };

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

export function createProjectsApp(deps: ProjectsDeps, app: Omit<CreateAppOptions, 'name'>) {
  const a = createApp({ ...app, name: 'projects' });
  a.use(
    '/api/v1/*',
    authenticate(deps.auth.auth),
    requireAuth(),
    csrfProtection(deps.auth.auth),
    idempotency(deps.db),
  );
  return mountOperations(a, operations, deps);
}
