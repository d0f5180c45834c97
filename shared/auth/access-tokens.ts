import { randomUUID } from 'node:crypto';
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import { UnauthenticatedError } from '../errors';
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

const invalid = (detail: string) => new UnauthenticatedError(detail, 'INVALID_TOKEN');

/**
 * Verifies signature (RS256 only: `none` and HS256-with-the-public-key are refused before any key is used),
 * key id, issuer, audience and expiry. Whether the session is still alive is checked by the caller.
 */
export async function verifyAccessToken(
  ctx: { keys: KeyStore; issuer: string },
  token: string,
): Promise<AccessTokenClaims> {
  let kid: string | undefined;
  let alg: string | undefined;
  try {
    ({ kid, alg } = decodeProtectedHeader(token));
  } catch {
    throw invalid('The access token is malformed.');
  }
  if (alg !== SIGNING_ALG) throw invalid('The access token uses an unsupported algorithm.');
  if (!kid) throw invalid('The access token has no key id.');
  const key = await ctx.keys.publicKey(kid);
  if (!key) throw invalid('The access token was signed with an unknown key.');
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
    return { sub: payload.sub, sid: payload.sid };
  } catch (err) {
    if (err instanceof errors.JWTExpired) throw invalid('The access token has expired.');
    if (err instanceof UnauthenticatedError) throw err;
    throw invalid('The access token is not valid.');
  }
}
