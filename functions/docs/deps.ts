import type { Operation } from '../../shared/http/openapi';
import type { Platform } from '../../shared/platform';
import { apiOperations } from '../operations';

/**
 * What the reference documents: the public URL servers are listed under, and the operations of every other
 * function (the docs function adds its own, see app.ts).
 */
export type DocsDeps = { publicUrl: string; documented: Operation<never>[] };

export const fromPlatform = (p: Platform): DocsDeps => ({
  publicUrl: p.env.HEXABASE_PUBLIC_URL,
  documented: Object.values(apiOperations).flat() as Operation<never>[],
});
