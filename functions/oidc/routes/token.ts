import { authenticateToken } from '../../../shared/auth/authenticate';
import { issueWorkspaceIdToken } from '../../../shared/auth/id-tokens';
import { AppError } from '../../../shared/errors';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import type { OidcDeps } from '../deps';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';

/** RFC 6749 §5.2 error bodies: OAuth clients read `error`, not problem+json. */
const oauthError = (status: 400 | 401 | 403, error: string, description: string) =>
  new Response(JSON.stringify({ error, error_description: description }), {
    status,
    headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
  }) as never; // outside the typed (problem+json) responses on purpose

const OAuthError = z
  .object({ error: z.string(), error_description: z.string() })
  .openapi('OAuthError', { description: 'RFC 6749 §5.2 error' });
const oauthResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: OAuthError } },
});

export const tokenOperation = defineOperation(
  createRoute({
    method: 'post',
    path: '/oidc/{wsId}/token',
    tags: ['OIDC issuer'],
    summary: 'RFC 8693 token exchange: a Hexabase access token or PAT for a workspace ID token',
    description:
      'Form fields: grant_type=urn:ietf:params:oauth:grant-type:token-exchange, subject_token=<access token or hxb_pat_…>, subject_token_type=urn:ietf:params:oauth:token-type:access_token. Errors use the OAuth shape { error, error_description }.',
    security: [],
    request: {
      params: WsParams,
      // Documented, and read by the handler itself: its refusals must keep the OAuth shape, not problem+json.
      body: {
        required: false,
        content: {
          'application/x-www-form-urlencoded': {
            schema: z
              .object({
                grant_type: z.string().openapi({ example: EXCHANGE }),
                subject_token: z.string().openapi({ description: 'An access token or hxb_pat_… token' }),
                subject_token_type: z.string().openapi({ example: ACCESS_TOKEN }),
              })
              .partial()
              .passthrough(),
          },
        },
      },
    },
    responses: {
      200: {
        description: 'The ID token',
        content: {
          'application/json': {
            schema: z.object({
              access_token: z.string(),
              issued_token_type: z.literal('urn:ietf:params:oauth:token-type:id_token'),
              token_type: z.literal('N_A'),
              expires_in: z.number().int(),
            }),
          },
        },
      },
      ...problems(404),
      400: oauthResponse('invalid_request or unsupported_grant_type'),
      401: oauthResponse('invalid_grant: the subject token is not valid'),
      403: oauthResponse('invalid_grant: the person is not a member of the workspace'),
    },
  }),
  (deps: OidcDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    const form = await c.req.parseBody().catch(() => ({}) as Record<string, unknown>);
    if (form.grant_type !== EXCHANGE)
      return oauthError(400, 'unsupported_grant_type', `grant_type must be ${EXCHANGE}`);
    if (typeof form.subject_token !== 'string' || !form.subject_token)
      return oauthError(400, 'invalid_request', 'subject_token is required');
    if (form.subject_token_type !== ACCESS_TOKEN)
      return oauthError(400, 'invalid_request', `subject_token_type must be ${ACCESS_TOKEN}`);
    let userId: string;
    try {
      userId = (await authenticateToken(deps.auth.auth, form.subject_token, 'bearer')).userId;
    } catch (err) {
      if (err instanceof AppError && err.status === 401)
        return oauthError(401, 'invalid_grant', err.detail ?? 'invalid subject token');
      throw err;
    }
    try {
      const { token, expiresIn } = await issueWorkspaceIdToken(deps.auth.auth, {
        wsId,
        userId,
        ttlSeconds: deps.ttlSeconds,
        publicUrl: deps.auth.publicUrl,
      });
      return c.json(
        {
          access_token: token,
          issued_token_type: 'urn:ietf:params:oauth:token-type:id_token' as const,
          token_type: 'N_A' as const,
          expires_in: expiresIn,
        },
        200,
      );
    } catch (err) {
      if (err instanceof AppError && err.status === 403)
        return oauthError(403, 'invalid_grant', err.detail ?? 'not a member');
      throw err;
    }
  },
);
