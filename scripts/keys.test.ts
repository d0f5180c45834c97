import { randomBytes } from 'node:crypto';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthApp } from '../functions/auth/app';
import { createOidcApp } from '../functions/oidc/app';
import { type Auth, createAuth } from '../shared/auth';
import { workspaceIssuer } from '../shared/auth/id-tokens';
import { DEFAULT_KEY_CACHE_MS } from '../shared/auth/keys';
import { teamOrganization } from '../shared/testing/fixtures';
import { json } from '../shared/testing/http';
import { keysCommand, parseRotation } from '../shared/testing/keys';
import { usePlatform } from '../shared/testing/platform';
import { createWorkspace } from '../shared/workspaces/workspaces';

const kidOf = (token: string) => decodeProtectedHeader(token).kid!;

describe('npm run keys', () => {
  const platform = usePlatform();
  const keys = (args: string[], env: Record<string, string> = {}) => keysCommand(platform(), args, env);

  let team: Awaited<ReturnType<typeof teamOrganization>>;
  let wsId = '';
  beforeAll(async () => {
    team = await teamOrganization(platform());
    wsId = (
      await createWorkspace(
        platform(),
        { userId: team.admin.userId },
        {
          orgId: team.orgId,
          name: 'keys',
          planId: 'standard',
        },
      )
    ).workspaceId;
  });
  const oidc = (auth: Auth = platform().auth) =>
    createOidcApp({ auth, ttlSeconds: 600 }, { log: platform().log });
  const idToken = async (auth?: Auth) => {
    const res = await oidc(auth).request(`/oidc/${wsId}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
        subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
        subject_token: team.admin.token,
      }).toString(),
    });
    expect(res.status).toBe(200);
    return (await json(res)).access_token as string;
  };
  /** What a vCluster's API server does: fetch the issuer's JWKS and verify the ID token against it. */
  const verifyAtIssuer = async (token: string) => {
    const jwks = await json(await oidc().request(`/oidc/${wsId}/keys`));
    return jwtVerify(token, createLocalJWKSet(jwks), {
      issuer: workspaceIssuer(platform().auth.publicUrl, wsId),
      audience: wsId,
    });
  };
  /** What every API function does with a bearer token. */
  const me = (token: string) =>
    createAuthApp(platform(), { log: platform().log }).request('/auth/me', {
      headers: { authorization: `Bearer ${token}` },
    });

  it('rotates: earlier tokens keep verifying through the overlap, new tokens carry the new key id', async () => {
    const oldIdToken = await idToken();
    const oldAccessToken = team.admin.token;
    const oldKid = kidOf(oldIdToken);
    expect(kidOf(oldAccessToken)).toBe(oldKid);

    const rotatedAt = Date.now();
    const r = await keys(['rotate']);
    expect(r.code, r.stderr.join('\n')).toBe(0);
    const rotation = parseRotation(r.stdout);
    const newKid = rotation.kid;
    expect(newKid).toMatch(/^key-/);
    expect(newKid).not.toBe(oldKid);
    expect(rotation.retiredKid).toBe(oldKid);
    const publishedUntil = rotation.publishedUntil!.getTime();
    // Other processes sign with the old key for up to their cache window; each token lives up to 24 h.
    expect(publishedUntil - rotatedAt).toBeGreaterThanOrEqual(86_400_000 + DEFAULT_KEY_CACHE_MS);

    // Tokens issued before the rotation: the issuer's JWKS and the API still accept them.
    expect((await verifyAtIssuer(oldIdToken)).payload.sub).toBe(team.admin.userId);
    expect((await me(oldAccessToken)).status).toBe(200);
    // This process loaded the old key before the rotation; what it signs in its cache window verifies too.
    await expect(verifyAtIssuer(await idToken())).resolves.toBeDefined();

    // A process that loads the keys after the rotation (any replica once its cache window has passed).
    const fresh = createAuth({ env: platform().env, db: platform().db, cache: platform().cache });
    const newIdToken = await idToken(fresh);
    expect(kidOf(newIdToken)).toBe(newKid);
    expect((await verifyAtIssuer(newIdToken)).payload.aud).toBe(wsId);

    // Through the overlap: the old key is published and accepted until `publishedUntil`, and gone after it.
    const at = (ms: number) =>
      createAuth({ env: platform().env, db: platform().db, cache: platform().cache, now: () => new Date(ms) })
        .auth.keys;
    expect(await at(publishedUntil - 60_000).publicKey(oldKid)).toBeDefined();
    expect((await at(publishedUntil - 60_000).jwks()).keys.map((k) => k.kid)).toContain(oldKid);
    expect(await at(publishedUntil + 1000).publicKey(oldKid)).toBeUndefined();
    expect((await at(publishedUntil + 1000).jwks()).keys.map((k) => k.kid)).toEqual([newKid]);
  });

  it('lists every key with its algorithm, activation, retirement and how long it stays published', async () => {
    const r = await keys(['list']);
    expect(r.code, r.stderr.join('\n')).toBe(0);
    const [header, ...rows] = r.stdout;
    expect(header!.split(/\s{2,}/)).toEqual([
      'KID',
      'ALG',
      'STATE',
      'ACTIVATED',
      'RETIRED',
      'PUBLISHED UNTIL',
    ]);
    const cells = rows.map((l) => l.split(/\s{2,}/));
    const all = await platform().auth.auth.keys.list();
    expect(cells.map((c) => c[0])).toEqual(all.map((k) => k.kid));
    const activeRow = cells.find((c) => c[2] === 'active')!;
    expect(activeRow).toEqual([
      expect.stringMatching(/^key-/),
      'RS256',
      'active',
      expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      '-',
      'while active',
    ]);
    const retired = all.find((k) => k.retiredAt)!;
    expect(cells.find((c) => c[0] === retired.kid)).toEqual([
      retired.kid,
      'RS256',
      'retired',
      retired.activatedAt!.toISOString(),
      retired.retiredAt!.toISOString(),
      retired.publishedUntil!.toISOString(),
    ]);
  });

  it('refuses to rotate under another key-encryption key, in one line and without changing anything', async () => {
    const before = await platform().auth.auth.keys.list();
    const r = await keys(['rotate'], { HEXABASE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64') });
    expect(r.code).toBe(1);
    expect(r.stderr).toEqual([
      expect.stringMatching(
        /^hexabase keys: the key-encryption key does not open the active signing key key-/,
      ),
    ]);
    expect(await platform().auth.auth.keys.list()).toEqual(before);
  });

  it('fails in one line when the database cannot be reached, and prints usage for unknown commands', async () => {
    const down = await keys(['list'], { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' });
    expect(down.code).toBe(1);
    expect(down.stderr).toEqual([expect.stringMatching(/^hexabase keys: cannot connect to PostgreSQL at /)]);
    const wrong = await keys(['shred']);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toEqual(['usage: npm run keys -- list | rotate']);
  });
});
