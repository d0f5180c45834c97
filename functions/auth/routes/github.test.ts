import { createServer, type Server } from 'node:http';
import { count, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identities, users } from '../../../shared/db/schema';
import { createBrowser } from '../../../shared/testing/browser';
import { json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { createAuthApp } from '../app';

const ORIGIN = 'http://localhost:8080';

type GhUser = {
  id: number;
  login: string;
  name: string;
  emails: { email: string; primary: boolean; verified: boolean }[];
};

/**
 * GitHub's three endpoints as a local stand-in (GitHub cannot be reached from here): authorize (the person
 * approves at once), token exchange checking client credentials, code and PKCE verifier, and the user APIs.
 */
async function startGithub(client: { id: string; secret: string }) {
  let next: GhUser | undefined;
  const codes = new Map<string, { user: GhUser; challenge: string; redirectUri: string }>();
  const tokens = new Map<string, GhUser>();
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/login/oauth/authorize') {
      const code = `code-${Math.random().toString(36).slice(2)}`;
      codes.set(code, {
        user: next!,
        challenge: url.searchParams.get('code_challenge')!,
        redirectUri: url.searchParams.get('redirect_uri')!,
      });
      const back = new URL(url.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', url.searchParams.get('state')!);
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/login/oauth/access_token' && req.method === 'POST') {
      let raw = '';
      for await (const chunk of req) raw += chunk;
      const p = new URLSearchParams(raw);
      const entry = codes.get(p.get('code') ?? '');
      codes.delete(p.get('code') ?? '');
      const { createHash } = await import('node:crypto');
      const challenge = createHash('sha256')
        .update(p.get('code_verifier') ?? '')
        .digest('base64url');
      if (
        !entry ||
        p.get('client_id') !== client.id ||
        p.get('client_secret') !== client.secret ||
        challenge !== entry.challenge
      ) {
        return send(200, { error: 'bad_verification_code' }); // GitHub's way: 200 with an error field
      }
      const token = `gho_${Math.random().toString(36).slice(2)}`;
      tokens.set(token, entry.user);
      return send(200, { access_token: token, token_type: 'bearer', scope: 'read:user,user:email' });
    }
    const user = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (!user) return send(401, { message: 'Bad credentials' });
    if (url.pathname === '/api/user') return send(200, { id: user.id, login: user.login, name: user.name });
    if (url.pathname === '/api/user/emails') return send(200, user.emails);
    send(404, { message: 'Not Found' });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    base,
    signInAs: (u: GhUser) => {
      next = u;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

describe('sign-in with GitHub (OAuth 2.0 against a local stand-in)', () => {
  let gh: Awaited<ReturnType<typeof startGithub>>;
  beforeAll(async () => {
    gh = await startGithub({ id: 'gh-client', secret: 'gh-secret' });
  });
  afterAll(() => gh?.close());
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: ORIGIN,
    HEXABASE_TRUST_PROXY: 'true',
    HEXABASE_AUTH_PROVIDERS: JSON.stringify([
      {
        type: 'github',
        clientId: 'gh-client',
        clientSecret: 'gh-secret',
        authorizationUrl: `${gh.base}/login/oauth/authorize`,
        tokenUrl: `${gh.base}/login/oauth/access_token`,
        apiUrl: `${gh.base}/api`,
      },
    ]),
  }));
  /** Through GitHub and back; returns Hexabase's answer to the callback. */
  const signIn = async (path: string) => {
    const app = createAuthApp(platform(), { log: platform().log });
    const b = createBrowser({ app, appOrigin: ORIGIN, external: fetch });
    const { url } = await b.follow(path, (u) => u.pathname.startsWith('/auth/callback/'));
    return { res: await b.send(url) };
  };

  it('signs in with the primary verified address and keys the user by the numeric GitHub id', async () => {
    gh.signInAs({
      id: 4242,
      login: 'octo',
      name: 'Octo Cat',
      emails: [
        { email: 'old@example.com', primary: false, verified: true },
        { email: 'octo@example.com', primary: true, verified: true },
      ],
    });
    const { res } = await signIn('/auth/login/github?returnTo=/welcome');
    expect(res!.status).toBe(302);
    expect(res!.headers.get('location')).toBe('/welcome');
    const [idn] = await platform().db.select().from(identities).where(eq(identities.provider, 'github'));
    expect(idn).toMatchObject({ subject: '4242', email: 'octo@example.com', emailVerified: true });
    const [user] = await platform().db.select().from(users).where(eq(users.id, idn!.userId));
    expect(user).toMatchObject({ displayName: 'Octo Cat', email: 'octo@example.com' });
  });

  it('links a GitHub identity to an existing user only through the same verified email', async () => {
    const { db } = platform();
    const [before] = await db.select({ n: count() }).from(users);
    gh.signInAs({
      id: 777,
      login: 'octo2',
      name: 'Octo Again',
      emails: [{ email: 'OCTO@example.com', primary: true, verified: true }],
    });
    const { res } = await signIn('/auth/login/github');
    expect(res!.status).toBe(302);
    const [after] = await db.select({ n: count() }).from(users);
    expect(after!.n).toBe(before!.n);
    const linked = await db.select().from(identities).where(eq(identities.subject, '777'));
    const [octo] = await db.select().from(identities).where(eq(identities.subject, '4242'));
    expect(linked[0]!.userId).toBe(octo!.userId);
  });

  it('refuses an account without a verified primary email (401) and creates nothing', async () => {
    const { db } = platform();
    const [before] = await db.select({ n: count() }).from(users);
    gh.signInAs({
      id: 999,
      login: 'ghost',
      name: 'Ghost',
      emails: [{ email: 'ghost@example.com', primary: true, verified: false }],
    });
    const { res } = await signIn('/auth/login/github');
    expect(res!.status).toBe(401);
    expect((await json(res!)).code).toBe('EMAIL_NOT_VERIFIED');
    const [after] = await db.select({ n: count() }).from(users);
    expect(after!.n).toBe(before!.n);
  });
});
