import * as z from 'zod';
import type { ProviderConfig } from './config';
import { providerFetch } from './http';
import { type IdentityProvider, SignInError } from './types';

type GithubConfig = Extract<ProviderConfig, { type: 'github' }>;

const TokenResponse = z.object({ access_token: z.string().min(1) });
const User = z.object({ id: z.number(), login: z.string(), name: z.string().nullable().optional() });
const Emails = z.array(z.object({ email: z.string(), primary: z.boolean(), verified: z.boolean() }));

/**
 * GitHub is OAuth 2.0, not OIDC: exchange the code, then read `/user` and the primary *verified* address from
 * `/user/emails`. The subject is the numeric user id, which survives renames.
 */
export function githubProvider(cfg: GithubConfig): IdentityProvider {
  const fetchImpl = providerFetch(cfg.caFile);
  const api = async <T>(path: string, token: string, schema: z.ZodType<T>): Promise<T> => {
    const res = await fetchImpl(new URL(path, `${cfg.apiUrl.replace(/\/$/, '')}/`), {
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/vnd.github+json',
        'user-agent': 'hexabase',
      },
    });
    if (!res.ok) throw new SignInError('SIGN_IN_FAILED', `GitHub ${path} answered ${res.status}`);
    return schema.parse(await res.json());
  };
  return {
    id: cfg.id,
    name: cfg.name ?? 'GitHub',
    type: 'github',
    authorizationUrl: async (req) => {
      const url = new URL(cfg.authorizationUrl);
      url.search = new URLSearchParams({
        client_id: cfg.clientId,
        redirect_uri: req.redirectUri,
        scope: cfg.scopes.join(' '),
        state: req.state,
        code_challenge: await (await import('openid-client')).calculatePKCECodeChallenge(req.codeVerifier),
        code_challenge_method: 'S256',
        allow_signup: 'true',
      }).toString();
      return url;
    },
    complete: async (callbackUrl, req) => {
      const error = callbackUrl.searchParams.get('error');
      if (error) throw new SignInError('SIGN_IN_DENIED', `provider returned ${error}`);
      const code = callbackUrl.searchParams.get('code');
      if (!code) throw new SignInError('SIGN_IN_FAILED', 'callback without code');
      let token: string;
      try {
        const res = await fetchImpl(cfg.tokenUrl, {
          method: 'POST',
          headers: { accept: 'application/json', 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({
            client_id: cfg.clientId,
            client_secret: cfg.clientSecret,
            code,
            redirect_uri: req.redirectUri,
            code_verifier: req.codeVerifier,
          }),
        });
        // GitHub reports a bad code as 200 with an `error` field; the schema catches both.
        token = TokenResponse.parse(await res.json()).access_token;
      } catch (err) {
        if (err instanceof SignInError) throw err;
        throw new SignInError('SIGN_IN_FAILED', `GitHub code exchange failed: ${(err as Error).message}`);
      }
      const user = await api('user', token, User);
      const emails = await api('user/emails', token, Emails);
      const primary = emails.find((e) => e.primary && e.verified);
      if (!primary)
        throw new SignInError('EMAIL_NOT_VERIFIED', 'GitHub account has no verified primary email');
      return {
        provider: cfg.id,
        subject: String(user.id),
        email: primary.email,
        emailVerified: true,
        name: user.name ?? user.login,
      };
    },
  };
}
