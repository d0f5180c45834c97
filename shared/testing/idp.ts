import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { join } from 'node:path';
import Provider from 'oidc-provider';
import { createCertificateAuthority } from './kube/pki';

export type IdpAccount = { sub: string; email: string; email_verified: boolean; name: string };

export type TestIdp = {
  issuer: string;
  caFile: string;
  clientId: string;
  clientSecret: string;
  /** Who the next interactive login signs in as (the person at the keyboard). */
  signInAs: (account: IdpAccount) => void;
  close: () => Promise<void>;
};

/**
 * A real OpenID Provider (the `oidc-provider` package) over HTTPS with its own CA, standing in for Google or a
 * corporate IdP. Its login and consent pages are replaced by an interaction handler that signs in the account set
 * with `signInAs`, as a person would by typing credentials; everything else is the provider's own protocol code.
 */
export async function startTestIdp(opts: {
  dir: string;
  redirectUris: string[];
  clientId?: string;
}): Promise<TestIdp> {
  const ca = await createCertificateAuthority('test-idp-ca');
  const tls = await ca.issue({ cn: 'localhost', dnsNames: ['localhost'], ips: ['127.0.0.1'] });
  const caFile = join(opts.dir, `idp-ca-${Date.now()}.pem`);
  writeFileSync(caFile, ca.certPem);
  const clientId = opts.clientId ?? 'hexabase';
  const clientSecret = `secret-${Math.random().toString(36).slice(2)}`;
  const accounts = new Map<string, IdpAccount>();
  let next: IdpAccount | undefined;

  let handler: (req: Parameters<Parameters<typeof createServer>[1] & object>[0], res: never) => void =
    () => {};
  const server: Server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) =>
    handler(req, res as never),
  );
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as { port: number }).port}`;

  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: opts.redirectUris,
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, sub) => {
      const a = accounts.get(sub);
      return a ? { accountId: sub, claims: async () => ({ ...a }) } : undefined;
    },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: ['test-idp-cookie-key'] },
  });
  provider.proxy = false;
  const callback = provider.callback();

  handler = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res);
    interact(req, res).catch((err) => {
      const r = res as unknown as import('node:http').ServerResponse;
      if (!r.headersSent) r.writeHead(500, { 'content-type': 'text/plain' });
      r.end(`test IdP interaction failed: ${(err as Error).message}`);
    });
  };
  const interact = async (req: Parameters<typeof handler>[0], res: never) => {
    const details = await provider.interactionDetails(req, res);
    if (details.prompt.name === 'login') {
      if (!next) throw new Error('test IdP: call signInAs() before starting a sign-in');
      accounts.set(next.sub, next);
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId: next.sub } },
        { mergeWithLastSubmission: false },
      );
      return;
    }
    const grant = new provider.Grant({
      accountId: details.session!.accountId,
      clientId: String(details.params.client_id),
    });
    const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[] };
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  };

  return {
    issuer,
    caFile,
    clientId,
    clientSecret,
    signInAs: (a) => {
      next = a;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** HEXABASE_AUTH_PROVIDERS for Hexabase to trust this IdP as the OIDC provider `corp` ("Corp SSO"). */
export function corpProviders(idp: TestIdp): string {
  return JSON.stringify([
    {
      type: 'oidc',
      id: 'corp',
      name: 'Corp SSO',
      issuer: idp.issuer,
      clientId: idp.clientId,
      clientSecret: idp.clientSecret,
      caFile: idp.caFile,
    },
  ]);
}
