import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { hostname } from 'node:os';
import open from 'open';
import { api, CliError } from './api';

const DONE_PAGE = (message: string) =>
  `<!doctype html><meta charset="utf-8"><title>Hexabase CLI</title><body style="font-family:system-ui;margin:4rem auto;max-width:28rem"><h1>${message}</h1><p>You can close this tab and return to the terminal.</p></body>`;

export type BrowserLoginOptions = {
  url: string;
  provider?: string;
  /** Print the address instead of opening a browser (remote shells, tests). */
  noBrowser: boolean;
  timeoutMs: number;
  say: (line: string) => void;
};

/**
 * Sign-in through the browser (RFC 8252): listen on 127.0.0.1, send the person to Hexabase with a PKCE challenge,
 * take the one-time code from the redirect and redeem it with the verifier for a personal access token.
 */
export async function browserLogin(opts: BrowserLoginOptions): Promise<{ id: string; token: string }> {
  const verifier = randomBytes(32).toString('base64url');
  const challenge = createHash('sha256').update(verifier).digest('base64url');
  const state = randomBytes(16).toString('base64url');
  let settle: (r: { code: string } | { error: string }) => void = () => {};
  const answered = new Promise<{ code: string } | { error: string }>((r) => {
    settle = r;
  });
  const server = createServer((req, res) => {
    const u = new URL(req.url ?? '/', 'http://127.0.0.1');
    // Anything else knocking on the port (a stale tab, another program) is turned away without ending the wait.
    if (u.pathname !== '/callback' || u.searchParams.get('state') !== state) {
      res.writeHead(400, { 'content-type': 'text/plain' }).end('Not the sign-in this CLI is waiting for.');
      return;
    }
    const code = u.searchParams.get('code');
    res
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', connection: 'close' })
      .end(DONE_PAGE(code ? 'Signed in to the Hexabase CLI' : 'Sign-in cancelled'));
    settle(code ? { code } : { error: u.searchParams.get('error') ?? 'unknown' });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const redirectUri = `http://127.0.0.1:${(server.address() as { port: number }).port}/callback`;
  try {
    const authorize = new URL('/auth/cli/authorize', opts.url);
    authorize.search = new URLSearchParams({
      redirectUri,
      state,
      codeChallenge: challenge,
      ...(opts.provider ? { provider: opts.provider } : {}),
    }).toString();
    opts.say(`Sign in to Hexabase in your browser: ${authorize.href}`);
    if (!opts.noBrowser) await open(authorize.href).catch(() => {});
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([
      answered,
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new CliError('no answer from the browser in time; run `hxb login` again', 4)),
          opts.timeoutMs,
        );
      }),
    ]).finally(() => clearTimeout(timer));
    if ('error' in result)
      throw new CliError(
        result.error === 'access_denied'
          ? 'sign-in was denied in the browser'
          : `sign-in failed: ${result.error}`,
        4,
      );
    return await api<{ id: string; token: string }>(opts.url, undefined, '/auth/cli/token', {
      method: 'POST',
      body: JSON.stringify({
        code: result.code,
        codeVerifier: verifier,
        redirectUri,
        name: `hxb on ${hostname()}`.slice(0, 100),
      }),
    });
  } finally {
    server.closeAllConnections();
    server.close();
  }
}
