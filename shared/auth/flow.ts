import { randomNonce, randomPKCECodeVerifier, randomState } from 'openid-client';
import { BadRequestError, DependencyUnavailableError, NotFoundError, UnauthenticatedError } from '../errors';
import type { AuthContext, RequestMeta } from './context';
import type { IdentityProvider, StateStore } from './providers';
import { SignInError } from './providers';
import { type SignInResult, signIn } from './sign-in';

export type FlowDeps = {
  auth: AuthContext;
  providers: Map<string, IdentityProvider>;
  states: StateStore;
  publicUrl: string;
};

const STATE_TTL_SECONDS = 600;

/** Only same-origin destinations: an open redirect after sign-in is a phishing tool. */
export function safeReturnTo(publicUrl: string, returnTo: string | undefined): string | null {
  if (!returnTo) return null;
  const origin = new URL(publicUrl).origin;
  let url: URL;
  try {
    url = new URL(returnTo, origin);
  } catch {
    url = new URL('http://invalid');
  }
  if (url.origin !== origin || returnTo.startsWith('//') || returnTo.includes('\\')) {
    throw new BadRequestError('INVALID_RETURN_TO', 'returnTo must be a path or URL on this site.');
  }
  return `${url.pathname}${url.search}${url.hash}`;
}

function provider(deps: FlowDeps, id: string): IdentityProvider {
  const p = deps.providers.get(id);
  if (!p) throw new NotFoundError(`No identity provider "${id}" is configured.`, 'UNKNOWN_PROVIDER');
  return p;
}

/** Creates the server-side state (state, PKCE verifier, nonce) and returns where to send the browser. */
export async function startSignIn(
  deps: FlowDeps,
  input: { provider: string; returnTo?: string },
): Promise<URL> {
  const p = provider(deps, input.provider);
  const returnTo = safeReturnTo(deps.publicUrl, input.returnTo);
  const req = {
    state: randomState(),
    nonce: randomNonce(),
    codeVerifier: randomPKCECodeVerifier(),
    redirectUri: `${deps.publicUrl.replace(/\/$/, '')}/auth/callback/${p.id}`,
  };
  let url: URL;
  try {
    url = await p.authorizationUrl(req);
  } catch (err) {
    if (err instanceof SignInError)
      throw new DependencyUnavailableError('The identity provider cannot be reached; try again shortly.', {
        cause: err,
      });
    throw err;
  }
  await deps.states.put(
    req.state,
    {
      provider: p.id,
      codeVerifier: req.codeVerifier,
      nonce: req.nonce,
      returnTo,
      redirectUri: req.redirectUri,
    },
    STATE_TTL_SECONDS,
  );
  return url;
}

/**
 * Completes a sign-in from the provider's redirect. The state is consumed first, so a replayed callback fails
 * even when the provider would accept the code again.
 */
export async function completeSignIn(
  deps: FlowDeps,
  meta: RequestMeta & { log?: { warn: (o: object, m: string) => void } },
  input: { provider: string; callbackUrl: URL },
): Promise<SignInResult & { returnTo: string | null }> {
  const p = provider(deps, input.provider);
  const state = input.callbackUrl.searchParams.get('state');
  const pending = state ? await deps.states.take(state) : undefined;
  if (!state || !pending || pending.provider !== p.id) {
    throw new BadRequestError(
      'INVALID_STATE',
      'The sign-in attempt is unknown, expired or already used; start again.',
    );
  }
  let who: Awaited<ReturnType<IdentityProvider['complete']>>;
  try {
    // The redirect URI the provider saw, with the parameters it sent back: behind a proxy the request URL
    // this process sees has another host, and the token request must repeat the original redirect URI.
    const returned = new URL(pending.redirectUri);
    returned.search = input.callbackUrl.search;
    who = await p.complete(returned, {
      state,
      nonce: pending.nonce,
      codeVerifier: pending.codeVerifier,
      redirectUri: pending.redirectUri,
    });
  } catch (err) {
    if (!(err instanceof SignInError)) throw err;
    meta.log?.warn({ provider: p.id, reason: err.reason }, 'sign-in rejected');
    if (err.code === 'PROVIDER_UNAVAILABLE')
      throw new DependencyUnavailableError('The identity provider cannot be reached; try again shortly.', {
        cause: err,
      });
    throw new UnauthenticatedError(
      err.code === 'EMAIL_NOT_VERIFIED'
        ? 'Your account at the identity provider has no verified email address.'
        : err.code === 'SIGN_IN_DENIED'
          ? 'The identity provider did not allow the sign-in.'
          : 'The identity provider could not confirm the sign-in.',
      err.code,
      { cause: err },
    );
  }
  return { ...(await signIn(deps.auth, meta, who)), returnTo: pending.returnTo };
}
