import { createHash, randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import type { IdentityProvider } from '../shared/auth/providers';
import { workspaces } from '../shared/db/schema';
import { createOrganization } from '../shared/orgs/organizations';
import { json } from '../shared/testing/http';
import { usePlatform } from '../shared/testing/platform';
import { createWorkspace } from '../shared/workspaces/workspaces';

const ORIGIN = 'http://localhost:8080';

/** Stands in for an identity provider: the callback needs a sign-in it vouches for, not a real one. */
const stubProvider: IdentityProvider = {
  id: 'stub',
  name: 'Stub',
  type: 'oidc',
  authorizationUrl: async (req) => new URL(`https://idp.invalid/authorize?state=${req.state}`),
  complete: async () => ({
    provider: 'stub',
    subject: 'stub-user',
    email: 'stub@example.com',
    emailVerified: true,
    name: 'Stub',
  }),
};

describe('responses that carry tokens or secrets', () => {
  const platform = usePlatform({
    HEXABASE_PUBLIC_URL: ORIGIN,
    HEXABASE_DEV_LOGIN: 'true',
    HEXABASE_TRUST_PROXY: 'true',
  });
  let server: ReturnType<typeof createLocalServer>;
  beforeAll(() => {
    const p = platform();
    server = createLocalServer({ ...p, auth: { ...p.auth, providers: new Map([['stub', stubProvider]]) } });
  });
  const send = (path: string, init: RequestInit & { token?: string; form?: Record<string, string> } = {}) => {
    const headers = new Headers(init.headers);
    headers.set('x-forwarded-for', '198.51.100.20');
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (typeof init.body === 'string') headers.set('content-type', 'application/json');
    const body = init.form ? new URLSearchParams(init.form).toString() : init.body;
    if (init.form) headers.set('content-type', 'application/x-www-form-urlencoded');
    return server.fetch(new Request(new URL(path, ORIGIN), { ...init, headers, body }));
  };

  it('are never stored by browsers or proxies (Cache-Control: no-store, Pragma: no-cache)', async () => {
    const seen: [string, Response][] = [];
    const step = async (name: string, res: Response | Promise<Response>, status: number) => {
      const r = await res;
      expect(r.status, name).toBe(status);
      seen.push([name, r]);
      return r;
    };

    const dev = await json(
      await step(
        'POST /auth/login/dev',
        send('/auth/login/dev', { method: 'POST', body: JSON.stringify({ email: 'nostore@example.com' }) }),
        200,
      ),
    );
    await step(
      'POST /auth/login/dev (form)',
      send('/auth/login/dev', { method: 'POST', form: { email: 'nostore@example.com', returnTo: '/' } }),
      303,
    );

    const start = await send('/auth/login/stub');
    const state = new URL(start.headers.get('location')!).searchParams.get('state')!;
    await step(
      'GET /auth/callback/{provider} (JSON)',
      send(`/auth/callback/stub?code=c&state=${state}`, { headers: { accept: 'application/json' } }),
      200,
    );

    const refreshed = await json(
      await step(
        'POST /auth/refresh',
        send('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: dev.refreshToken }) }),
        200,
      ),
    );
    await step(
      'POST /auth/refresh (refused)',
      send('/auth/refresh', { method: 'POST', body: JSON.stringify({ refreshToken: 'hxb_rt_nope' }) }),
      401,
    );
    const token = refreshed.accessToken as string;
    await step(
      'POST /auth/tokens',
      send('/auth/tokens', { method: 'POST', token, body: JSON.stringify({ name: 'walk' }) }),
      201,
    );

    const codeVerifier = randomBytes(32).toString('base64url');
    const cli = {
      redirectUri: 'http://127.0.0.1:53682/callback',
      state: randomBytes(16).toString('base64url'),
      codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url'),
    };
    const consent = await step(
      'POST /auth/cli/authorize',
      send('/auth/cli/authorize', { method: 'POST', token, form: { ...cli, decision: 'allow' } }),
      303,
    );
    const code = new URL(consent.headers.get('location')!).searchParams.get('code')!;
    await step(
      'POST /auth/cli/token',
      send('/auth/cli/token', {
        method: 'POST',
        body: JSON.stringify({ code, codeVerifier, redirectUri: cli.redirectUri }),
      }),
      201,
    );

    const p = platform();
    const userId = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).sub as string;
    const org = await createOrganization(p.orgs, { userId }, { name: 'No store' });
    const { workspaceId: wsId } = await createWorkspace(
      p,
      { userId },
      {
        orgId: org.id,
        name: 'nostore',
        planId: 'standard',
      },
    );
    // As the provisioner leaves it once the vCluster serves: a kubeconfig exists only then.
    await p.db
      .update(workspaces)
      .set({ status: 'RUNNING', endpoint: `https://${wsId}.vcluster.localhost` })
      .where(eq(workspaces.id, wsId));
    await step(
      'POST /oidc/{wsId}/token',
      send(`/oidc/${wsId}/token`, {
        method: 'POST',
        form: {
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token: token,
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        },
      }),
      200,
    );
    for (const mode of ['exec', 'token'])
      await step(
        `GET …/kubeconfig?mode=${mode}`,
        send(`/api/v1/organizations/${org.id}/workspaces/${wsId}/kubeconfig?mode=${mode}`, { token }),
        200,
      );

    for (const [name, res] of seen) {
      expect(res.headers.get('cache-control'), name).toBe('no-store');
      expect(res.headers.get('pragma'), name).toBe('no-cache');
    }
  });
});
