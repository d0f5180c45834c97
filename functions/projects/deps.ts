import type { Auth } from '../../shared/auth';
import type { Authz } from '../../shared/authz';
import type { Db } from '../../shared/db';
import type { Platform } from '../../shared/platform';

export type ProjectsDeps = { db: Db; authz: Authz; auth: Auth };

export const fromPlatform = (p: Platform): ProjectsDeps => ({ db: p.db, authz: p.authz, auth: p.auth });
