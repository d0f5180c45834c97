import type * as Client from 'openid-client';
import type { ProviderConfig } from './config';
import { providerFetch } from './http';
import { type IdentityProvider, SignInError } from './types';

type OidcConfig = Extract<ProviderConfig, { type: 'oidc' | 'google' }>;

// Loaded by the first sign-in, not at start: every function builds the providers, only the auth function signs in.
const openid = () => import('openid-client');

/**
 * Authorization Code + PKCE (S256) + state + nonce with openid-client, which validates the ID token's signature,
 * issuer, audience, expiry and nonce. Discovery runs on first use and is retried after a failure.
 */
export function oidcProvider(cfg: OidcConfig): IdentityProvider {
  const fetchImpl = providerFetch(cfg.caFile);
  let config: Promise<Client.Configuration> | undefined;
  const configuration = () => {
    config ??= openid()
      .then((client) =>
        client.discovery(
          new URL(cfg.issuer),
          cfg.clientId,
          undefined,
          client.ClientSecretPost(cfg.clientSecret),
          {
            [client.customFetch]: fetchImpl as never,
          },
        ),
      )
      .then(async (c) => {
        c[(await openid()).customFetch] = fetchImpl as never;
        return c;
      })
      .catch((err) => {
        config = undefined;
        throw new SignInError(
          'PROVIDER_UNAVAILABLE',
          `discovery of ${cfg.issuer} failed: ${(err as Error).message}`,
        );
      });
    return config;
  };
  return {
    id: cfg.id,
    name: cfg.name ?? (cfg.type === 'google' ? 'Google' : cfg.id),
    type: cfg.type,
    authorizationUrl: async (req) =>
      (await openid()).buildAuthorizationUrl(await configuration(), {
        redirect_uri: req.redirectUri,
        scope: cfg.scopes.join(' '),
        response_type: 'code',
        state: req.state,
        nonce: req.nonce,
        code_challenge: await (await openid()).calculatePKCECodeChallenge(req.codeVerifier),
        code_challenge_method: 'S256',
      }),
    complete: async (callbackUrl, req) => {
      const conf = await configuration();
      const client = await openid();
      const error = callbackUrl.searchParams.get('error');
      if (error) throw new SignInError('SIGN_IN_DENIED', `provider returned ${error}`);
      let claims: Record<string, unknown> | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(conf, callbackUrl, {
          pkceCodeVerifier: req.codeVerifier,
          expectedState: req.state,
          expectedNonce: req.nonce,
          idTokenExpected: true,
        });
        const id = tokens.claims();
        if (!id?.sub) throw new SignInError('SIGN_IN_FAILED', 'ID token without subject');
        claims = { ...id };
        // Many providers put email and name only in UserInfo; its `sub` must match the ID token's.
        if (typeof id.email !== 'string') {
          claims = { ...(await client.fetchUserInfo(conf, tokens.access_token, id.sub)), ...id };
        }
      } catch (err) {
        if (err instanceof SignInError) throw err;
        const e = err as Error & { error?: string; error_description?: string; code?: string };
        throw new SignInError(
          'SIGN_IN_FAILED',
          `code exchange or ID token validation failed: ${[e.message, e.code, e.error, e.error_description].filter(Boolean).join(' / ')}`,
        );
      }
      return {
        provider: cfg.id,
        subject: String(claims.sub),
        email: typeof claims.email === 'string' ? claims.email : null,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : null,
      };
    },
  };
}
