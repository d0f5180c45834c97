import 'reflect-metadata'; // @peculiar/x509 uses tsyringe, which needs it loaded first
import { generateKeyPairSync, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

export type Issued = { certPem: string; keyPem: string };

export type CertificateAuthority = Issued & {
  issue: (opts: {
    cn: string;
    orgs?: string[];
    dnsNames?: string[];
    ips?: string[];
    client?: boolean;
  }) => Promise<Issued>;
};

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  const der = await webcrypto.subtle.exportKey('pkcs8', key);
  return x509.PemConverter.encode(der, 'PRIVATE KEY');
}

const serial = () =>
  Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString('hex')
    .replace(/^[89a-f]/, '1');

function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=])/g, '\\$1');
}

/** A throwaway CA for one test cluster; ECDSA keys because they are generated in milliseconds. */
export async function createCertificateAuthority(cn: string): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify'])) as webcrypto.CryptoKeyPair;
  const ca = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=${escapeDn(cn)}`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
    keys,
    signingAlgorithm: ALG,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return authority(ca, keys.privateKey);
}

/** Issues more certificates from a CA written to disk earlier (e.g. by another process of the test run). */
export async function loadCertificateAuthority(
  certPem: string,
  keyPem: string,
): Promise<CertificateAuthority> {
  const key = await webcrypto.subtle.importKey('pkcs8', x509.PemConverter.decode(keyPem)[0]!, ALG, true, [
    'sign',
  ]);
  return authority(new x509.X509Certificate(certPem), key);
}

async function authority(
  ca: x509.X509Certificate,
  caKey: webcrypto.CryptoKey,
): Promise<CertificateAuthority> {
  return {
    certPem: ca.toString('pem'),
    keyPem: await keyPem(caKey),
    issue: async (opts) => {
      const leaf = (await webcrypto.subtle.generateKey(ALG, true, [
        'sign',
        'verify',
      ])) as webcrypto.CryptoKeyPair;
      const subject = [`CN=${escapeDn(opts.cn)}`, ...(opts.orgs ?? []).map((o) => `O=${escapeDn(o)}`)].join(
        ', ',
      );
      const san = [
        ...(opts.dnsNames ?? []).map((value) => ({ type: 'dns' as const, value })),
        ...(opts.ips ?? []).map((value) => ({ type: 'ip' as const, value })),
      ];
      const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject,
        issuer: ca.subject,
        notBefore: new Date(Date.now() - 60_000),
        notAfter: new Date(Date.now() + 365 * 24 * 3600_000),
        publicKey: leaf.publicKey,
        signingKey: caKey,
        signingAlgorithm: ALG,
        extensions: [
          new x509.BasicConstraintsExtension(false, undefined, true),
          new x509.KeyUsagesExtension(
            x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
            true,
          ),
          new x509.ExtendedKeyUsageExtension([
            opts.client ? x509.ExtendedKeyUsage.clientAuth : x509.ExtendedKeyUsage.serverAuth,
          ]),
          await x509.AuthorityKeyIdentifierExtension.create(ca, false),
          ...(san.length ? [new x509.SubjectAlternativeNameExtension(san)] : []),
        ],
      });
      return { certPem: cert.toString('pem'), keyPem: await keyPem(leaf.privateKey) };
    },
  };
}

/** The key pair kube-apiserver signs service-account tokens with and kube-controller-manager uses too. */
export function serviceAccountKeys(): { publicPem: string; privatePem: string } {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privatePem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
