import { requireIssuer, workspaceIssuer } from '../../../shared/auth/id-tokens';
import { createRoute, defineOperation, problems } from '../../../shared/http/openapi';
import { WsParams } from '../../../shared/http/params';
import * as z from '../../../shared/http/zod';
import type { OidcDeps } from '../deps';

export const discoveryOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/oidc/{wsId}/.well-known/openid-configuration',
    tags: ['OIDC issuer'],
    summary: "OpenID Connect discovery of a workspace's issuer",
    security: [],
    request: { params: WsParams },
    responses: {
      200: {
        description: 'Discovery document',
        content: { 'application/json': { schema: z.record(z.string(), z.unknown()) } },
      },
      ...problems(404),
    },
  }),
  (deps: OidcDeps) => async (c) => {
    const { wsId } = c.req.valid('param');
    await requireIssuer(deps.auth.auth, wsId);
    const issuer = workspaceIssuer(deps.auth.publicUrl, wsId);
    c.header('cache-control', 'public, max-age=300');
    return c.json(
      {
        issuer,
        jwks_uri: `${issuer}/keys`,
        token_endpoint: `${issuer}/token`,
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
        id_token_signing_alg_values_supported: ['RS256'],
        grant_types_supported: ['urn:ietf:params:oauth:grant-type:token-exchange'],
        token_endpoint_auth_methods_supported: ['none'],
        claims_supported: [
          'iss',
          'sub',
          'aud',
          'exp',
          'iat',
          'nbf',
          'jti',
          'groups',
          'email',
          'email_verified',
          'name',
        ],
      },
      200,
    );
  },
);

export const keysOperation = defineOperation(
  createRoute({
    method: 'get',
    path: '/oidc/{wsId}/keys',
    tags: ['OIDC issuer'],
    summary: 'Signing keys (JWKS), including retired keys whose tokens may still be valid',
    security: [],
    request: { params: WsParams },
    responses: {
      200: {
        description: 'JWKS',
        content: {
          'application/json': { schema: z.object({ keys: z.array(z.record(z.string(), z.unknown())) }) },
        },
      },
      ...problems(404),
    },
  }),
  (deps: OidcDeps) => async (c) => {
    await requireIssuer(deps.auth.auth, c.req.valid('param').wsId);
    c.header('cache-control', 'public, max-age=60');
    return c.json(await deps.auth.auth.keys.jwks(), 200);
  },
);
