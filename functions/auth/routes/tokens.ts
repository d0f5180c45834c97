import { actorOf } from '../../../shared/auth/middleware';
import { createPat, listPats, revokePat } from '../../../shared/auth/pats';
import { createRoute, defineSignedInOperation, problems } from '../../../shared/http/openapi';
import { PageQuery, pageOf } from '../../../shared/http/pagination';
import * as z from '../../../shared/http/zod';
import { idSchema } from '../../../shared/ids';
import type { AuthDeps } from '../deps';

export const PatSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    createdAt: z.string(),
    expiresAt: z.string().nullable(),
    lastUsedAt: z.string().nullable(),
  })
  .openapi('PersonalAccessToken');

const future = z.iso
  .datetime({ offset: true })
  .refine((v) => new Date(v).getTime() > Date.now(), 'must be in the future')
  .refine((v) => new Date(v).getTime() < Date.now() + 366 * 86_400_000, 'must be within a year');

export const createTokenOperation = defineSignedInOperation(
  createRoute({
    method: 'post',
    path: '/auth/tokens',
    tags: ['Auth'],
    summary: 'Create a personal access token (shown once)',
    request: {
      body: {
        required: true,
        content: {
          'application/json': {
            schema: z.object({ name: z.string().trim().min(1).max(100), expiresAt: future.optional() }),
          },
        },
      },
    },
    responses: {
      201: {
        description: 'Created; `token` is never shown again',
        content: { 'application/json': { schema: PatSchema.extend({ token: z.string() }) } },
      },
      ...problems(401, 403, 429),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    const { name, expiresAt } = c.req.valid('json');
    const created = await createPat(deps.auth.auth, actorOf(c, deps.auth.trustProxy), {
      name,
      ...(expiresAt ? { expiresAt: new Date(expiresAt) } : {}),
    });
    return c.json(created, 201);
  },
);

export const listTokensOperation = defineSignedInOperation(
  createRoute({
    method: 'get',
    path: '/auth/tokens',
    tags: ['Auth'],
    summary: "The caller's personal access tokens",
    request: { query: PageQuery },
    responses: {
      200: {
        description: 'Tokens (never the secrets)',
        content: { 'application/json': { schema: pageOf(PatSchema) } },
      },
      ...problems(401),
    },
  }),
  (deps: AuthDeps) => async (c) =>
    c.json(await listPats(deps.auth.auth, actorOf(c, deps.auth.trustProxy), c.req.valid('query')), 200),
);

export const revokeTokenOperation = defineSignedInOperation(
  createRoute({
    method: 'delete',
    path: '/auth/tokens/{id}',
    tags: ['Auth'],
    summary: 'Revoke a personal access token',
    request: { params: z.object({ id: idSchema('pat').openapi({ param: { name: 'id', in: 'path' } }) }) },
    responses: {
      204: { description: 'Revoked' },
      ...problems(401, 403, 404),
    },
  }),
  (deps: AuthDeps) => async (c) => {
    await revokePat(deps.auth.auth, actorOf(c, deps.auth.trustProxy), { patId: c.req.valid('param').id });
    return c.body(null, 204);
  },
);
