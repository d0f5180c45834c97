import type { Auth } from '../../shared/auth';
import type { Authz } from '../../shared/authz';
import type { Db } from '../../shared/db';
import type { Platform } from '../../shared/platform';
import { type UsageWatch, usageWatch } from '../../shared/usage/watch';

export type UsageDeps = { db: Db; authz: Authz; auth: Auth; intervalSeconds: number; watch: UsageWatch };

export const fromPlatform = (p: Platform): UsageDeps => ({
  db: p.db,
  authz: p.authz,
  auth: p.auth,
  intervalSeconds: p.env.HEXABASE_USAGE_INTERVAL_SECONDS,
  watch: usageWatch(p.database),
});
