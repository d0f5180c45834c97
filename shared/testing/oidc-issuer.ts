import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { createCertificateAuthority } from './kube/pki';

export type TestIssuer = {
  issuer: string;
  caPem: string;
  kid: string;
  /** Signs a token; every claim and header can be overridden to build the bad ones. */
  token: (
    claims: Record<string, unknown>,
    opts?: { kid?: string; expiresInSeconds?: number; key?: CryptoKeyLike },
  ) => Promise<string>;
  close: () => Promise<void>;
};

type CryptoKeyLike = Parameters<SignJWT['sign']>[0];

/**
 * A minimal OIDC issuer over HTTPS (discovery + JWKS) with its own CA, for checking how kube-apiserver validates
 * tokens. It stands for "some external issuer"; Hexabase's own issuer is tested against the same apiservers.
 */
export async function startTestIssuer(path = '/issuer'): Promise<TestIssuer> {
  const ca = await createCertificateAuthority('test-issuer-ca');
  const tls = await ca.issue({ cn: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const kid = randomUUID();
  const jwk: JWK = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  let issuer = '';
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) => {
    const send = (body: unknown) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === `${path}/.well-known/openid-configuration`) {
      send({
        issuer,
        jwks_uri: `${issuer}/jwks`,
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['id_token'],
        subject_types_supported: ['public'],
      });
    } else if (req.url === `${path}/jwks`) {
      send({ keys: [jwk] });
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `https://127.0.0.1:${(server.address() as { port: number }).port}${path}`;
  return {
    issuer,
    caPem: ca.certPem,
    kid,
    token: (claims, opts = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: issuer,
        iat: now,
        nbf: now,
        exp: now + (opts.expiresInSeconds ?? 600),
        ...claims,
      })
        .setProtectedHeader({ alg: 'RS256', kid: opts.kid ?? kid, typ: 'JWT' })
        .sign(opts.key ?? privateKey);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
