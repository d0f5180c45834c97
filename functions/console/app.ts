import { NotFoundError } from '../../shared/errors';
import { type AppOptions, createApp } from '../../shared/http/app';
import type { Operation } from '../../shared/http/openapi';
import type { ConsoleDeps } from './deps';
import { CONSOLE_CSP, shellHtml } from './shell';

/** The console serves pages and files, not API operations: the OpenAPI document has nothing of it. */
export const operations: Operation<ConsoleDeps>[] = [];

/**
 * Paths the console never answers with its page, although the route table sends it every path no other function
 * claims: the API, sign-in, the issuers and webhooks belong to other functions (an unknown path there is a
 * problem+json 404, as anywhere in the API), and /metrics is never public.
 */
const RESERVED = /^\/(api|auth|oidc|webhooks|metrics|healthz|readyz)(\/|$)/;

/** Hashed names: a file never changes under its name, so browsers keep it for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

export function createConsoleApp(deps: ConsoleDeps, app: AppOptions) {
  const a = createApp({ ...app, name: 'console' });
  let shell: Uint8Array | undefined;

  a.get('/assets/:file', async (c) => {
    const asset = (await deps.assets()).files.get(c.req.param('file'));
    if (!asset) throw new NotFoundError(`No route for GET ${c.req.path}.`);
    return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
      'content-type': asset.type,
      'cache-control': IMMUTABLE,
    });
  });

  a.get('*', async (c) => {
    if (RESERVED.test(c.req.path)) throw new NotFoundError(`No route for GET ${c.req.path}.`);
    shell ??= new TextEncoder().encode(shellHtml(await deps.assets(), { devLogin: deps.devLogin }));
    return c.body(shell as Uint8Array<ArrayBuffer>, 200, {
      'content-type': 'text/html; charset=UTF-8',
      'content-security-policy': CONSOLE_CSP,
      // The page names the current assets: revalidated every time, so a deployment is picked up at once.
      'cache-control': 'no-cache',
      'x-frame-options': 'DENY',
      'cross-origin-opener-policy': 'same-origin',
      'permissions-policy': 'camera=(), microphone=(), geolocation=(), payment=()',
    });
  });

  return a;
}
