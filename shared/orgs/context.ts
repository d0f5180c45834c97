import type { Authz } from '../authz';
import type { VersionedCache } from '../cache/versioned';
import type { Db } from '../db';

// Actor is the audit trail's notion (shared/audit); organizations and workspaces import it from here.
export { type Actor, auditMeta } from '../audit';

export type OrgContext = {
  db: Db;
  now: () => Date;
  kek: Buffer;
  publicUrl: string;
  /** Bumped after membership changes commit (shared/authz). */
  authzCache: VersionedCache;
};

/** Membership changes go through shared/authz so that cached authorization follows them. */
export const authzOf = (ctx: OrgContext): Authz => ({ db: ctx.db, cache: ctx.authzCache });
