import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCertificateAuthority } from '../../testing/kube/pki';
import { oidcProvider } from './oidc';
import { SignInError } from './types';

/**
 * An issuer that answers the token request with whatever ID token the test wants. The real openid-client inside
 * oidcProvider must refuse every bad one; the happy path is covered against oidc-provider in the auth function.
 */
async function startForgingIssuer() {
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  let idToken = async (_issuer: string, _nonce: string) => '';
  let lastNonce = '';
  let issuer = '';
  const ca = await createCertificateAuthority('forging-issuer-ca');
  const tls = await ca.issue({ cn: 'localhost', ips: ['127.0.0.1'] });
  const caFile = join(mkdtempSync(join(tmpdir(), 'hexabase-forge-')), 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, async (req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/.well-known/openid-configuration') {
      return send({
        issuer,
        authorization_endpoint: `${issuer}/auth`,
        token_endpoint: `${issuer}/token`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        id_token_signing_alg_values_supported: ['RS256'],
      });
    }
    if (req.url === '/jwks') return send({ keys: [jwk] });
    if (req.url === '/token')
      return send({ access_token: 'at', token_type: 'Bearer', id_token: await idToken(issuer, lastNonce) });
    res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  issuer = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    issuer,
    caFile,
    sign: (claims: Record<string, unknown>, header: Record<string, unknown> = {}) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: 'k1', ...header }).sign(privateKey),
    respondWith: (make: (issuer: string, nonce: string) => Promise<string>) => {
      idToken = make;
    },
    setNonce: (n: string) => {
      lastNonce = n;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('OIDC provider ID token validation', () => {
  let idp: Awaited<ReturnType<typeof startForgingIssuer>>;
  beforeAll(async () => {
    idp = await startForgingIssuer();
  });
  afterAll(() => idp?.close());

  const attempt = async (claims: (iss: string, nonce: string) => Record<string, unknown>, header = {}) => {
    const p = oidcProvider({
      type: 'oidc',
      id: 'forge',
      issuer: idp.issuer,
      clientId: 'hexabase',
      clientSecret: 's',
      scopes: ['openid'],
      caFile: idp.caFile,
    });
    const req = {
      state: 'st',
      nonce: 'nonce-1',
      codeVerifier: 'v'.repeat(43),
      redirectUri: 'http://localhost/cb',
    };
    await p.authorizationUrl(req);
    idp.respondWith((iss, nonce) => idp.sign(claims(iss, nonce), header));
    idp.setNonce(req.nonce);
    return p.complete(new URL(`http://localhost/cb?code=c&state=${req.state}`), req);
  };
  const now = () => Math.floor(Date.now() / 1000);
  const good = (iss: string, nonce: string) => ({
    iss,
    aud: 'hexabase',
    sub: 'u1',
    nonce,
    iat: now(),
    exp: now() + 300,
    email: 'u1@example.com',
    email_verified: true,
  });

  it('accepts a well-formed ID token (control)', async () => {
    await expect(attempt(good)).resolves.toMatchObject({
      subject: 'u1',
      email: 'u1@example.com',
      emailVerified: true,
    });
  });

  it.each([
    ['another issuer', (iss: string, n: string) => ({ ...good(iss, n), iss: 'https://evil.example' })],
    ['another audience', (iss: string, n: string) => ({ ...good(iss, n), aud: 'someone-else' })],
    [
      'an expired token',
      (iss: string, n: string) => ({ ...good(iss, n), iat: now() - 7200, exp: now() - 3600 }),
    ],
    ['a different nonce', (iss: string, n: string) => ({ ...good(iss, n), nonce: 'other' })],
  ])('refuses %s', async (_name, claims) => {
    await expect(attempt(claims)).rejects.toBeInstanceOf(SignInError);
  });
});
