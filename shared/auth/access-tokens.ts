import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { UnauthenticatedError } from '../errors';
import { isId } from '../ids';
import { type KeyStore, SIGNING_ALG } from './keys';

export const ACCESS_TOKEN_AUDIENCE = 'hexabase-api';

export type AccessTokenClaims = { sub: string; sid: string };

export async function issueAccessToken(
  ctx: { keys: KeyStore; issuer: string; accessTtlSeconds: number },
  claims: AccessTokenClaims,
): Promise<string> {
  const { kid, key } = await ctx.keys.signingKey();
  return new SignJWT({ sid: claims.sid })
    .setProtectedHeader({ alg: SIGNING_ALG, kid, typ: 'at+jwt' })
    .setIssuer(ctx.issuer)
    .setAudience(ACCESS_TOKEN_AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(`${ctx.accessTtlSeconds}s`)
    .setJti(randomUUID())
    .sign(key);
}

const invalid = (detail: string, cause?: unknown) =>
  new UnauthenticatedError(detail, 'INVALID_TOKEN', cause === undefined ? undefined : { cause });

/**
 * Verifies signature (RS256 only: `none` and HS256-with-the-public-key are refused before any key is used),
 * key id, issuer, audience and expiry. Whether the session is still alive is checked by the caller.
 * A token already verified with the same cached key is only checked for expiry: RS256 verification through
 * WebCrypto costs ~0.2 ms of CPU, a tenth of a typical request (docs/benchmarks.md), and clients send the same
 * token for its whole lifetime. Only tokens that passed every check are remembered.
 */
export async function verifyAccessToken(
  ctx: { keys: KeyStore; issuer: string },
  token: string,
): Promise<AccessTokenClaims> {
  let kid: string | undefined;
  let alg: string | undefined;
  try {
    ({ kid, alg } = decodeProtectedHeader(token));
  } catch (err) {
    throw invalid('The access token is malformed.', err);
  }
  if (alg !== SIGNING_ALG) throw invalid('The access token uses an unsupported algorithm.');
  if (!kid) throw invalid('The access token has no key id.');
  // The header is not verified yet: a key id that is no id of ours (NUL, a surrogate, an object) names no key and
  // must not reach the database.
  if (typeof kid !== 'string' || !isId('key', kid))
    throw invalid('The access token was signed with an unknown key.');
  const key = await ctx.keys.publicKey(kid);
  if (!key) throw invalid('The access token was signed with an unknown key.');
  const verified = ctx.keys.verifiedTokens(kid);
  const known = verified?.get(token);
  if (known) {
    if (known.expiresAtMs <= Date.now()) throw invalid('The access token has expired.');
    return { sub: known.sub, sid: known.sid };
  }
  try {
    const { payload } = await jwtVerify(token, key, {
      algorithms: [SIGNING_ALG],
      issuer: ctx.issuer,
      audience: ACCESS_TOKEN_AUDIENCE,
      typ: 'at+jwt',
      requiredClaims: ['sub', 'exp', 'iat'],
    });
    if (typeof payload.sid !== 'string' || typeof payload.sub !== 'string')
      throw invalid('The access token is incomplete.');
    verified?.set(token, { sub: payload.sub, sid: payload.sid, expiresAtMs: payload.exp! * 1000 });
    return { sub: payload.sub, sid: payload.sid };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw invalid('The access token has expired.', err);
    if (err instanceof UnauthenticatedError) throw err;
    throw invalid('The access token is not valid.', err);
  }
}
