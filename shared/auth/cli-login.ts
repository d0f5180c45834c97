import { createHash, randomBytes } from 'node:crypto';
import * as z from 'zod';
import type { Actor } from '../audit';
import { BadRequestError } from '../errors';
import type { AuthContext, RequestMeta } from './context';
import { createPat, type PatView } from './pats';
import type { StateStore } from './providers';
import { hashToken, safeEqual } from './secrets';

/**
 * Browser sign-in for the CLI (RFC 8252, native apps over a loopback redirect): the CLI listens on 127.0.0.1, sends
 * the person to `/auth/cli/authorize` with a PKCE S256 challenge, and after they sign in and allow it, receives a
 * one-time code that only the holder of the verifier can redeem, for a personal access token.
 */
export const CLI_CODE_TTL_SECONDS = 120;
export const CLI_TOKEN_TTL_DAYS = 90;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost']);

/** Only the person's own machine may receive a code: plain-HTTP loopback with an explicit port, nothing else. */
export function loopbackRedirect(raw: string): URL {
  let url: URL | undefined;
  try {
    url = new URL(raw);
  } catch {}
  if (
    url?.protocol !== 'http:' ||
    !LOOPBACK_HOSTS.has(url.hostname) ||
    !url.port ||
    url.username ||
    url.password ||
    url.hash
  ) {
    throw new BadRequestError(
      'INVALID_REDIRECT_URI',
      'redirectUri must be an http://127.0.0.1:<port>/… (or localhost, [::1]) address on your own machine.',
    );
  }
  return url;
}

export const CliAuthorizeParams = z.object({
  redirectUri: z.string().min(1).max(512),
  state: z
    .string()
    .regex(/^[\w-]{16,128}$/, '16–128 characters of [A-Za-z0-9_-]')
    .describe('Echoed back to the CLI with the code'),
  codeChallenge: z
    .string()
    .regex(/^[\w-]{43}$/, 'a base64url SHA-256 (43 characters)')
    .describe('PKCE S256: BASE64URL(SHA256(codeVerifier))'),
  provider: z.string().max(64).optional().describe('Skip the provider choice'),
});

type PendingCliCode = { userId: string; redirectUri: string; codeChallenge: string };
const key = (code: string) => `cli-code:${hashToken(code)}`;

/** After the person allowed it: a single-use code bound to them, the challenge and the exact redirect URI. */
export async function grantCliCode(
  ctx: { states: StateStore },
  actor: Actor,
  input: { redirectUri: string; codeChallenge: string },
): Promise<string> {
  const code = randomBytes(32).toString('base64url');
  const pending: PendingCliCode = { userId: actor.userId, ...input };
  await ctx.states.put<PendingCliCode>(key(code), pending, CLI_CODE_TTL_SECONDS);
  return code;
}

export const CliTokenRequest = z.object({
  code: z.string().min(1).max(128),
  codeVerifier: z.string().regex(/^[\w.~-]{43,128}$/, 'a PKCE code verifier (43–128 characters)'),
  redirectUri: z.string().min(1).max(512),
  name: z.string().trim().min(1).max(100).default('hxb CLI'),
});

/**
 * Redeems a code for a personal access token. The code is consumed before anything is checked, so a wrong
 * verifier burns it: an intercepted code cannot be tried twice.
 */
export async function redeemCliCode(
  ctx: { auth: AuthContext; states: StateStore },
  meta: RequestMeta,
  input: z.infer<typeof CliTokenRequest>,
): Promise<PatView & { token: string }> {
  const pending = await ctx.states.take<PendingCliCode>(key(input.code));
  const challenge = createHash('sha256').update(input.codeVerifier).digest('base64url');
  if (!pending || pending.redirectUri !== input.redirectUri || !safeEqual(pending.codeChallenge, challenge)) {
    throw new BadRequestError(
      'INVALID_CODE',
      'The code is unknown, expired, already used, or does not match this request; sign in again.',
    );
  }
  const expiresAt = new Date(ctx.auth.now().getTime() + CLI_TOKEN_TTL_DAYS * 86_400_000);
  // The token is the person's who allowed the CLI; the request that redeems it is the CLI's.
  return createPat(ctx.auth, { ...meta, userId: pending.userId }, { name: input.name, expiresAt });
}
