import type { KeyStore } from '../../shared/auth/keys';
import type { Db } from '../../shared/db';
import type { Logger } from '../../shared/log';
import type { Platform } from '../../shared/platform';

export type KeyRotationDeps = {
  db: Db;
  keys: KeyStore;
  /** HEXABASE_SIGNING_KEY_ROTATION_DAYS; 0 turns the schedule off. */
  rotationDays: number;
  log: Logger;
};

export const fromPlatform = (p: Platform): KeyRotationDeps => ({
  db: p.db,
  keys: p.auth.auth.keys,
  rotationDays: p.env.HEXABASE_SIGNING_KEY_ROTATION_DAYS,
  log: p.log,
});
