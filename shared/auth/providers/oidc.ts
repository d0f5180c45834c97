import * as client from 'openid-client';
import type { ProviderConfig } from './config';
import { providerFetch } from './http';
import { type IdentityProvider, SignInError } from './types';

type OidcConfig = Extract<ProviderConfig, { type: 'oidc' | 'google' }>;

/**
 * Authorization Code + PKCE (S256) + state + nonce with openid-client, which validates the ID token's signature,
 * issuer, audience, expiry and nonce. Discovery runs on first use and is retried after a failure.
 */
export function oidcProvider(cfg: OidcConfig): IdentityProvider {
  const fetchImpl = providerFetch(cfg.caFile);
  let config: Promise<client.Configuration> | undefined;
  const configuration = () => {
    config ??= client
      .discovery(new URL(cfg.issuer), cfg.clientId, undefined, client.ClientSecretPost(cfg.clientSecret), {
        [client.customFetch]: fetchImpl as never,
      })
      .then((c) => {
        c[client.customFetch] = fetchImpl as never;
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
      client.buildAuthorizationUrl(await configuration(), {
        redirect_uri: req.redirectUri,
        scope: cfg.scopes.join(' '),
        response_type: 'code',
        state: req.state,
        nonce: req.nonce,
        code_challenge: await client.calculatePKCECodeChallenge(req.codeVerifier),
        code_challenge_method: 'S256',
      }),
    complete: async (callbackUrl, req) => {
      const conf = await configuration();
      const error = callbackUrl.searchParams.get('error');
      if (error) throw new SignInError('SIGN_IN_DENIED', `provider returned ${error}`);
      let claims: client.IDToken | undefined;
      try {
        const tokens = await client.authorizationCodeGrant(conf, callbackUrl, {
          pkceCodeVerifier: req.codeVerifier,
          expectedState: req.state,
          expectedNonce: req.nonce,
          idTokenExpected: true,
        });
        claims = tokens.claims();
      } catch (err) {
        throw new SignInError(
          'SIGN_IN_FAILED',
          `code exchange or ID token validation failed: ${(err as Error).message}`,
        );
      }
      if (!claims?.sub) throw new SignInError('SIGN_IN_FAILED', 'ID token without subject');
      return {
        provider: cfg.id,
        subject: claims.sub,
        email: typeof claims.email === 'string' ? claims.email : null,
        emailVerified: claims.email_verified === true,
        name: typeof claims.name === 'string' ? claims.name : null,
      };
    },
  };
}
