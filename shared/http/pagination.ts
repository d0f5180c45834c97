import { DEFAULT_LIMIT, MAX_LIMIT } from '../db/pagination';
import * as z from './zod';

/** Query parameters and response shape of paged lists; the paging itself is the data layer's (db/pagination). */
export const PageQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_LIMIT)
    .default(DEFAULT_LIMIT)
    .openapi({ param: { name: 'limit', in: 'query' }, example: DEFAULT_LIMIT }),
  cursor: z
    .string()
    .max(512)
    .optional()
    .openapi({ param: { name: 'cursor', in: 'query' }, description: 'nextCursor of the previous page' }),
});

export const pageOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() });

/** A list small enough to return whole (bounded by a plan or by code), in the page shape so clients read one shape. */
export const wholeListOf = <T extends z.ZodTypeAny>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.null() });

export { Instant } from '../db/pagination';
