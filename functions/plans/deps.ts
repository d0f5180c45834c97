import type { Db } from '../../shared/db';
import type { Platform } from '../../shared/platform';

export type PlansDeps = { db: Db };

export const fromPlatform = (p: Platform): PlansDeps => ({ db: p.db });
