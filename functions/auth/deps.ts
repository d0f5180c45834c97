import type { Auth } from '../../shared/auth';
import type { Cache } from '../../shared/cache';
import type { Platform } from '../../shared/platform';

export type AuthDeps = { auth: Auth; cache: Cache };

export const fromPlatform = (p: Platform): AuthDeps => ({ auth: p.auth, cache: p.cache });
