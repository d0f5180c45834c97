import type { Auth } from '../../shared/auth';
import type { Authz } from '../../shared/authz';
import type { Db } from '../../shared/db';
import type { OrgContext } from '../../shared/orgs/context';
import type { Platform } from '../../shared/platform';

export type OrganizationsDeps = { db: Db; authz: Authz; auth: Auth; orgs: OrgContext };

export const fromPlatform = (p: Platform): OrganizationsDeps => ({
  db: p.db,
  authz: p.authz,
  auth: p.auth,
  orgs: p.orgs,
});
