import { getMe } from '../../../shared/auth/me';
import { actorOf } from '../../../shared/auth/middleware';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import * as z from '../../../shared/http/zod';
import type { AuthDeps } from '../deps';

const MeSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    displayName: z.string(),
    organizations: z.array(z.object({ id: z.string(), name: z.string(), role: z.enum(['admin', 'member']) })),
  })
  .openapi('Me');

export const meOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/auth/me',
    tags: ['Auth'],
    summary: 'The signed-in user and their organizations',
    responses: {
      200: { description: 'Me', content: { 'application/json': { schema: MeSchema } } },
      ...problems(401),
    },
  }),
  (deps: AuthDeps) => async (c) => c.json(await getMe(deps.auth.auth, actorOf(c, deps.auth.trustProxy)), 200),
);
