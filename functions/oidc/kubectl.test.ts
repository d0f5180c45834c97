import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { getRequestListener } from '@hono/node-server';
import { eq } from 'drizzle-orm';
import {
  decodeJwt,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWTHeaderParameters,
  type JWTPayload,
  SignJWT,
} from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuth } from '../../shared/auth';
import { workspaces } from '../../shared/db/schema';
import { apply, clusterFromKubeconfig } from '../../shared/k8s/apply';
import { nodePool } from '../../shared/k8s/nodes';
import { desiredVClusterObjects } from '../../shared/provisioner/desired';
import { teamOrganization } from '../../shared/testing/fixtures';
import { json } from '../../shared/testing/http';
import { keysCommand, parseRotation } from '../../shared/testing/keys';
import { kubeconfigYaml } from '../../shared/testing/kube/kubeconfig';
import { kubectl } from '../../shared/testing/kube/kubectl';
import { createCertificateAuthority } from '../../shared/testing/kube/pki';
import { kubeEnvironment, useVirtualClusters } from '../../shared/testing/kube/worker';
import { usePlatform } from '../../shared/testing/platform';
import { workspaceAccess } from '../../shared/workspaces/access';
import { addGroupMember, createGroup, removeGroupMember } from '../../shared/workspaces/groups';
import { addWorkspaceMember, removeWorkspaceMember } from '../../shared/workspaces/members';
import { createProject } from '../../shared/workspaces/projects';
import { assignRole } from '../../shared/workspaces/role-assignments';
import { createRole } from '../../shared/workspaces/roles';
import { createWorkspace } from '../../shared/workspaces/workspaces';
import { createWorkspacesApp } from '../workspaces/app';
import { createOidcApp } from './app';

const kube = kubeEnvironment();

describe('kubectl with Hexabase workspace tokens against real vCluster API servers', () => {
  // Hexabase's issuer over HTTPS (kube-apiserver requires it), with a CA the virtual clusters trust.
  let server: Server;
  let port = 0;
  let caPem = '';
  let handler: (req: never, res: never) => void = () => {};
  beforeAll(async () => {
    const ca = await createCertificateAuthority('hexabase-issuer-ca');
    const tls = await ca.issue({ cn: 'localhost', ips: ['127.0.0.1'] });
    caPem = ca.certPem;
    writeFileSync(issuerCaFile, caPem);
    server = createServer({ cert: tls.certPem, key: tls.keyPem }, (req, res) =>
      handler(req as never, res as never),
    );
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => server?.close());
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-kubectl-'));
  const issuerCaFile = join(dir, 'issuer-ca.pem');
  // Exec kubeconfigs name this checkout's CLI and the issuer's CA, as `npm start` sets them for local runs.
  const platform = usePlatform(() => ({
    HEXABASE_PUBLIC_URL: `https://127.0.0.1:${port}`,
    HEXABASE_CLI_COMMAND: join(import.meta.dirname, '../../scripts/hxb.mjs'),
    HEXABASE_CLI_CA_FILE: issuerCaFile,
  }));
  const startVirtualCluster = useVirtualClusters();
  const app = () => createOidcApp({ auth: platform().auth, ttlSeconds: 600 }, { log: platform().log });

  describe('as members, groups and outsiders', () => {
    let wsA = '';
    let wsB = '';
    let team: Awaited<ReturnType<typeof teamOrganization>>;
    let vcA: { url: string; caPem: string };
    let vcB: { url: string; caPem: string };
    let ids: { devs: string; web: string };

    const exchange = async (wsId: string, subject: string, issuer = app()) =>
      issuer.request(`/oidc/${wsId}/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
          subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
          subject_token: subject,
        }).toString(),
      });
    const idToken = async (wsId: string, subject: string, issuer = app()) =>
      (await json(await exchange(wsId, subject, issuer))).access_token as string;
    const as = (vc: { url: string; caPem: string }, token: string, ...args: string[]) => {
      const file = join(dir, `kc-${Math.random().toString(36).slice(2)}`);
      writeFileSync(file, kubeconfigYaml({ name: 'ws', server: vc.url, caPem: vc.caPem }));
      return kubectl(kube.kubectl, [...args, '--token', token], { kubeconfig: file });
    };
    const until = async (fn: () => Promise<boolean>) => {
      for (let i = 0; i < 60 && !(await fn()); i++) await new Promise((r) => setTimeout(r, 500));
    };

    beforeAll(async () => {
      handler = getRequestListener((req) => app().fetch(req)) as never;
      const db = platform().db;
      team = await teamOrganization(platform());
      const admin = { userId: team.admin.userId };
      wsA = (await createWorkspace({ db }, admin, { orgId: team.orgId, name: 'a', planId: 'standard' }))
        .workspaceId;
      wsB = (await createWorkspace({ db }, admin, { orgId: team.orgId, name: 'b', planId: 'standard' }))
        .workspaceId;
      const ws = (await workspaceAccess(platform().authz, wsA, admin.userId))!;
      await addWorkspaceMember(platform(), admin, { ws, userId: team.member.userId }); // joins WSUsers only
      const devs = await createGroup({ db }, admin, { ws, name: 'devs' });
      const web = await createProject(platform(), admin, { ws, name: 'web' });
      await createProject(platform(), admin, { ws, name: 'web-api', parentId: web.id });
      // Something workspace viewers cannot do: create config maps.
      const reader = await createRole(platform(), admin, {
        ws,
        projectId: web.id,
        name: 'config-writer',
        rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get', 'list', 'create'] }],
      });
      await assignRole(platform(), admin, { ws, projectId: web.id, groupId: devs.id, roleId: reader.id });
      ids = { devs: devs.id, web: web.id };
      for (const [wsId, set] of [
        [wsA, (v: typeof vcA) => (vcA = v)],
        [wsB, (v: typeof vcB) => (vcB = v)],
      ] as const) {
        const vc = await startVirtualCluster({
          name: wsId,
          oidc: {
            issuer: `https://127.0.0.1:${port}/oidc/${wsId}`,
            audience: wsId,
            caPem,
            usernamePrefix: 'hexabase:',
            groupsPrefix: 'hexabase:',
          },
        });
        await apply(clusterFromKubeconfig(vc.kubeconfig), await desiredVClusterObjects(db, wsId));
        set({ url: vc.url, caPem: vc.ca.certPem });
      }
      // The API server loads the issuer's discovery asynchronously after start.
      const t = await idToken(wsA, team.admin.token);
      await until(async () => (await as(vcA, t, 'auth', 'whoami')).code === 0);
    });

    it('lets a member of WSAdmins create a namespace and a deployment', async () => {
      const t = await idToken(wsA, team.admin.token);
      expect((await as(vcA, t, 'create', 'namespace', 'team-a')).code).toBe(0);
      const dep = await as(vcA, t, 'create', 'deployment', 'web', '--image=nginx', '-n', 'team-a');
      expect(dep.code, dep.stderr).toBe(0);
      const who = JSON.parse((await as(vcA, t, 'auth', 'whoami', '-o', 'json')).stdout).status.userInfo;
      expect(who.username).toBe(`hexabase:${team.admin.userId}`);
      expect(who.groups).toEqual(expect.arrayContaining(['hexabase:WSAdmins', 'hexabase:WorkspaceMembers']));
    });

    it('lets a member only of WSUsers get and list, but not create (403)', async () => {
      const t = await idToken(wsA, team.member.token);
      expect((await as(vcA, t, 'get', 'namespaces')).code).toBe(0);
      const denied = await as(vcA, t, 'create', 'namespace', 'nope');
      expect(denied.code).not.toBe(0);
      expect(denied.stderr).toMatch(/forbidden/i);
    });

    it('gives a custom project role inside its namespace and child projects only; group removal applies with the next token', async () => {
      const ws = (await workspaceAccess(platform().authz, wsA, team.admin.userId))!;
      await addGroupMember(
        platform(),
        { userId: team.admin.userId },
        { ws, groupId: ids.devs, userId: team.member.userId },
      );
      const t = await idToken(wsA, team.member.token);
      expect((await as(vcA, t, 'create', 'configmap', 'a', '-n', 'web')).code).toBe(0);
      expect((await as(vcA, t, 'create', 'configmap', 'a', '-n', 'web-api')).code).toBe(0); // inherited
      expect((await as(vcA, t, 'create', 'configmap', 'a', '-n', 'default')).stderr).toMatch(/forbidden/i);
      expect((await as(vcA, t, 'create', 'secret', 'generic', 's', '-n', 'web')).stderr).toMatch(
        /forbidden/i,
      );
      await removeGroupMember(
        platform(),
        { userId: team.admin.userId },
        { ws, groupId: ids.devs, userId: team.member.userId },
      );
      const next = await idToken(wsA, team.member.token);
      expect((await as(vcA, next, 'create', 'configmap', 'b', '-n', 'web')).stderr).toMatch(/forbidden/i);
    });

    it("rejects a token for workspace A at workspace B's API server (401)", async () => {
      const t = await idToken(wsA, team.admin.token);
      const r = await as(vcB, t, 'get', 'namespaces');
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
    });

    it('rejects a tampered token (401)', async () => {
      const t = await idToken(wsA, team.admin.token);
      const [h, p, s] = t.split('.');
      const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
      const forged = [
        h,
        Buffer.from(JSON.stringify({ ...claims, groups: ['system:masters'] })).toString('base64url'),
        s,
      ].join('.');
      expect((await as(vcA, forged, 'get', 'namespaces')).stderr).toMatch(/Unauthorized|provide credentials/);
    });

    // Each forgery starts from a genuine token's claims and changes one thing; the API server must refuse them all.
    it('rejects expired, mis-addressed, unknown-key, unsigned and algorithm-confused tokens (401)', async () => {
      const genuine = await idToken(wsA, team.admin.token);
      const claims = decodeJwt(genuine);
      const { kid, key } = await platform().auth.auth.keys.signingKey();
      const now = Math.floor(Date.now() / 1000);
      type SigningKey = Parameters<SignJWT['sign']>[0];
      const sign = (
        c: JWTPayload,
        header: JWTHeaderParameters = { alg: 'RS256', kid },
        k: SigningKey = key,
      ) => new SignJWT(c).setProtectedHeader(header).sign(k);
      const stranger = await generateKeyPair('RS256');
      const publicPem = await exportSPKI(
        (await importJWK(
          (await platform().auth.auth.keys.jwks()).keys.find((j) => j.kid === kid)!,
          'RS256',
        )) as Parameters<typeof exportSPKI>[0],
      );
      const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
      const forgeries: Record<string, string> = {
        expired: await sign({ ...claims, iat: now - 7200, nbf: now - 7200, exp: now - 3600 }),
        'wrong audience': await sign({ ...claims, aud: wsB }),
        'wrong issuer': await sign({ ...claims, iss: `https://127.0.0.1:${port}/oidc/${wsB}` }),
        'unknown kid': await sign(claims, { alg: 'RS256', kid: 'not-a-hexabase-key' }, stranger.privateKey),
        'alg none': `${b64({ alg: 'none', kid, typ: 'JWT' })}.${b64(claims)}.`,
        'HS256 with the public key': await sign(
          claims,
          { alg: 'HS256', kid },
          new TextEncoder().encode(publicPem),
        ),
      };
      // The control: re-signed unchanged, the claims are accepted, so each refusal is down to its one change.
      expect((await as(vcA, await sign(claims), 'get', 'namespaces')).code).toBe(0);
      for (const [what, token] of Object.entries(forgeries)) {
        const r = await as(vcA, token, 'get', 'namespaces');
        expect(r.code, what).not.toBe(0);
        expect(r.stderr, what).toMatch(/Unauthorized|provide credentials/);
      }
    });

    it('keeps old tokens valid across a rotation by `npm run keys -- rotate`; new tokens use the new key', async () => {
      const kidOf = (t: string) => JSON.parse(Buffer.from(t.split('.')[0]!, 'base64url').toString()).kid;
      /** Another issuer process: its own key cache, the same database and settings. */
      const replica = () =>
        createOidcApp(
          {
            auth: createAuth({ env: platform().env, db: platform().db, cache: platform().cache }),
            ttlSeconds: 600,
          },
          { log: platform().log },
        );
      const before = await idToken(wsA, team.admin.token);
      const oldKid = kidOf(before);
      const stale = replica();
      expect(kidOf(await idToken(wsA, team.admin.token, stale))).toBe(oldKid); // loads the key it will keep
      const rotation = await keysCommand(platform(), ['rotate']);
      expect(rotation.code, rotation.stderr.join('\n')).toBe(0);
      const { kid: newKid, retiredKid } = parseRotation(rotation.stdout);
      expect(retiredKid).toBe(oldKid);
      // A replica that loaded the old key just before the rotation still signs with it inside its cache window.
      const signedAfterRotation = await idToken(wsA, team.admin.token, stale);
      expect(kidOf(signedAfterRotation)).toBe(oldKid);
      // A replica that loads the keys after the rotation (as every one does once its window has passed).
      const after = await idToken(wsA, team.admin.token, replica());
      expect(kidOf(after)).toBe(newKid);
      expect(JSON.parse(Buffer.from(after.split('.')[0]!, 'base64url').toString()).kid).not.toBe(oldKid);
      expect((await as(vcA, before, 'get', 'namespaces')).code).toBe(0);
      expect((await as(vcA, signedAfterRotation, 'get', 'namespaces')).code).toBe(0);
      // The API server fetches the keys again on an unknown kid, but not within 30 s of its last fetch (go-oidc
      // refreshes 30 s before the JWKS's max-age=60 runs out).
      let ok = false;
      for (let i = 0; i < 75 && !ok; i++) {
        ok = (await as(vcA, after, 'get', 'namespaces')).code === 0;
        if (!ok) await new Promise((r) => setTimeout(r, 1000));
      }
      expect(ok).toBe(true);
    }, 120_000);

    it('stops issuing tokens once the person leaves the workspace (403 invalid_grant)', async () => {
      const ws = (await workspaceAccess(platform().authz, wsA, team.admin.userId))!;
      await removeWorkspaceMember(
        platform(),
        { userId: team.admin.userId },
        { ws, userId: team.member.userId },
      );
      const res = await exchange(wsA, team.member.token);
      expect(res.status).toBe(403);
      expect(await json(res)).toMatchObject({ error: 'invalid_grant' });
    });

    it('serves a kubeconfig with an embedded token (mode=token) that kubectl uses as is', async () => {
      const db = platform().db;
      await db
        .update(workspaces)
        .set({ status: 'RUNNING', endpoint: vcA.url, endpointCa: vcA.caPem })
        .where(eq(workspaces.id, wsA));
      const res = await createWorkspacesApp(
        { ...platform(), nodes: nodePool(undefined) },
        { log: platform().log },
      ).request(`/api/v1/organizations/${team.orgId}/workspaces/${wsA}/kubeconfig?mode=token`, {
        headers: { authorization: `Bearer ${team.admin.token}` },
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/yaml');
      const yaml = await res.text();
      expect(yaml).not.toContain('client-key-data'); // never the admin credential
      const file = join(dir, 'downloaded');
      writeFileSync(file, yaml);
      const r = await kubectl(kube.kubectl, ['get', 'namespaces', '-o', 'name'], { kubeconfig: file });
      expect(r.code, r.stderr).toBe(0);
      const exec = await createWorkspacesApp(
        { ...platform(), nodes: nodePool(undefined) },
        { log: platform().log },
      ).request(`/api/v1/organizations/${team.orgId}/workspaces/${wsA}/kubeconfig`, {
        headers: { authorization: `Bearer ${team.admin.token}` },
      });
      expect(await exec.text()).toMatch(/command: .*scripts\/hxb\.mjs[\s\S]*kubectl-credential/);
    });

    it('works with kubectl through the downloaded exec kubeconfig (hxb credential plugin), caching the token', async () => {
      await platform()
        .db.update(workspaces)
        .set({ status: 'RUNNING', endpoint: vcA.url, endpointCa: vcA.caPem })
        .where(eq(workspaces.id, wsA));
      const configDir = mkdtempSync(join(tmpdir(), 'hexabase-hxb-'));
      writeFileSync(
        join(configDir, 'config.json'),
        JSON.stringify({ url: `https://127.0.0.1:${port}`, token: team.admin.token }),
      );
      const res = await createWorkspacesApp(
        { ...platform(), nodes: nodePool(undefined) },
        { log: platform().log },
      ).request(`/api/v1/organizations/${team.orgId}/workspaces/${wsA}/kubeconfig`, {
        headers: { authorization: `Bearer ${team.admin.token}` },
      });
      const yaml = await res.text();
      expect(yaml).toContain(`NODE_EXTRA_CA_CERTS`);
      const file = join(dir, 'exec-kubeconfig');
      writeFileSync(file, yaml);
      const env = {
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        HEXABASE_CONFIG_DIR: configDir,
      };
      const first = await kubectl(
        kube.kubectl,
        ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'],
        { kubeconfig: file, env },
      );
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toBe(`hexabase:${team.admin.userId}`);
      const cached = JSON.parse(readFileSync(join(configDir, 'tokens', `${wsA}.json`), 'utf8'));
      expect(new Date(cached.expiresAt).getTime()).toBeGreaterThan(Date.now());
      const second = await kubectl(kube.kubectl, ['get', 'namespaces', '-o', 'name'], {
        kubeconfig: file,
        env,
      });
      expect(second.code, second.stderr).toBe(0);
      expect(JSON.parse(readFileSync(join(configDir, 'tokens', `${wsA}.json`), 'utf8')).token).toBe(
        cached.token,
      );
    });
  });
});
