import type { Db } from '../../shared/db';
import type { Platform } from '../../shared/platform';

export type DeadLettersDeps = { db: Db };

export const fromPlatform = (p: Platform): DeadLettersDeps => ({ db: p.db });
