import type { ExternalIdentity } from '../sign-in';

export type AuthorizationRequest = {
  state: string;
  nonce: string;
  codeVerifier: string;
  redirectUri: string;
};

export type IdentityProvider = {
  id: string;
  name: string;
  type: 'oidc' | 'google' | 'github';
  authorizationUrl: (req: AuthorizationRequest) => Promise<URL>;
  /** Exchanges the code from `callbackUrl` and returns who signed in; throws SignInError on any failure. */
  complete: (callbackUrl: URL, req: AuthorizationRequest) => Promise<ExternalIdentity>;
};

/** A sign-in the provider (or the attempt) did not vouch for. `reason` goes to the log, never to the client. */
export class SignInError extends Error {
  constructor(
    readonly code: 'SIGN_IN_DENIED' | 'SIGN_IN_FAILED' | 'PROVIDER_UNAVAILABLE' | 'EMAIL_NOT_VERIFIED',
    readonly reason: string,
  ) {
    super(reason);
  }
}
