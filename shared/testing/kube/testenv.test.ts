import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startTestIssuer, type TestIssuer } from '../oidc-issuer';
import { kubeconfigYaml } from './kubeconfig';
import { kubectl } from './kubectl';
import { waitFor } from './supervisor';
import { kubeEnvironment, useVirtualClusters } from './worker';

const kube = kubeEnvironment();
const tmp = mkdtempSync(join(tmpdir(), 'hexabase-testenv-'));
const host = (args: string[], input?: string) =>
  kubectl(kube.kubectl, args, { kubeconfig: kube.hostKubeconfigPath, ...(input ? { input } : {}) });
const writeKubeconfig = (name: string, content: string) => {
  const p = join(tmp, name);
  writeFileSync(p, content);
  return p;
};
const uniq = (p: string) => `${p}-${Math.random().toString(36).slice(2, 8)}`;

describe('host cluster (real kube-apiserver, etcd, controller-manager)', () => {
  it('lists namespaces with the built kubectl', async () => {
    const r = await host(['get', 'namespaces', '-o', 'name']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('namespace/kube-system');
    const version = await kubectl(kube.kubectl, ['version', '-o', 'json'], {
      kubeconfig: kube.hostKubeconfigPath,
    });
    const v = JSON.parse(version.stdout);
    expect(v.serverVersion.gitVersion).toMatch(/^v1\.3[45]\.\d+$/);
    expect(v.clientVersion.gitVersion).toBe(v.serverVersion.gitVersion);
  });

  it('enforces RBAC: 403 without bindings, allowed after a RoleBinding', async () => {
    const ns = uniq('rbac');
    expect((await host(['create', 'namespace', ns])).code).toBe(0);
    // Alice authenticates with a client certificate signed by the host CA: a real identity with no rights.
    const alice = await kube.hostUser('alice');
    const aliceConfig = writeKubeconfig(
      'alice',
      kubeconfigYaml({ name: 'alice', server: kube.hostUrl, caPem: kube.hostCaPem, ...alice }),
    );
    const denied = await kubectl(kube.kubectl, ['get', 'configmaps', '-n', ns], { kubeconfig: aliceConfig });
    expect(denied.code).not.toBe(0);
    expect(denied.stderr).toMatch(/Forbidden|forbidden/);
    expect(denied.stderr).toContain('User "alice" cannot list resource "configmaps"');

    expect(
      (await host(['create', 'rolebinding', 'alice-view', '--clusterrole=view', '--user=alice', '-n', ns]))
        .code,
    ).toBe(0);
    const allowed = await waitFor(
      'alice allowed',
      async () => {
        const r = await kubectl(kube.kubectl, ['get', 'configmaps', '-n', ns], { kubeconfig: aliceConfig });
        return r.code === 0 ? r : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(allowed.code).toBe(0);
  });

  it('enforces a ResourceQuota once the controller-manager has filled its status', async () => {
    const ns = uniq('quota');
    expect((await host(['create', 'namespace', ns])).code).toBe(0);
    expect((await host(['create', 'quota', 'q', '--hard=pods=1', '-n', ns])).code).toBe(0);
    await waitFor(
      'quota status',
      async () => {
        const r = await host(['get', 'quota', 'q', '-n', ns, '-o', 'jsonpath={.status.hard.pods}']);
        return r.stdout === '1' ? true : undefined;
      },
      { timeoutMs: 30_000 },
    );
    await waitFor(
      'default service account',
      async () => ((await host(['get', 'sa', 'default', '-n', ns])).code === 0 ? true : undefined),
      {
        timeoutMs: 30_000,
      },
    );
    const pod = (name: string) =>
      stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name, namespace: ns },
        spec: { containers: [{ name: 'c', image: 'busybox' }] },
      });
    expect((await host(['create', '-f', '-'], pod('one'))).code).toBe(0);
    const over = await host(['create', '-f', '-'], pod('two'));
    expect(over.code).not.toBe(0);
    expect(over.stderr).toMatch(/exceeded quota: q/);
  });

  it('completes a namespace deletion', async () => {
    const ns = uniq('gone');
    expect((await host(['create', 'namespace', ns])).code).toBe(0);
    expect((await host(['create', 'configmap', 'x', '--from-literal=a=b', '-n', ns])).code).toBe(0);
    expect((await host(['delete', 'namespace', ns, '--wait=true', '--timeout=60s'])).code).toBe(0);
    const r = await host(['get', 'namespace', ns]);
    expect(r.stderr).toContain('NotFound');
  });
});

describe('virtual cluster trusting an OIDC issuer over HTTPS', () => {
  const startVirtualCluster = useVirtualClusters();
  let issuer: TestIssuer;
  let other: TestIssuer;
  let config: string;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    other = await startTestIssuer();
    const vc = await startVirtualCluster({
      name: 'oidc',
      oidc: {
        issuer: issuer.issuer,
        audience: 'ws-test',
        caPem: issuer.caPem,
        usernamePrefix: 'hexabase:',
        groupsPrefix: 'hexabase:',
      },
    });
    config = writeKubeconfig('vc-oidc', kubeconfigYaml({ name: 'vc', server: vc.url, caPem: vc.ca.certPem }));
  });
  afterAll(async () => {
    await issuer?.close();
    await other?.close();
  });
  const whoami = (token: string) =>
    kubectl(kube.kubectl, ['auth', 'whoami', '-o', 'json', '--token', token], { kubeconfig: config });
  const claims = { sub: 'usr-alice', aud: 'ws-test', groups: ['WSAdmins', 'WorkspaceMembers'] };

  it('accepts a valid token and maps user and groups with the prefix', async () => {
    const token = await issuer.token(claims);
    // The authenticator fetches discovery asynchronously after start.
    const r = await waitFor(
      'token accepted',
      async () => {
        const res = await whoami(token);
        return res.code === 0 ? res : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    const info = JSON.parse(r.stdout).status.userInfo;
    expect(info.username).toBe('hexabase:usr-alice');
    expect(info.groups).toEqual(
      expect.arrayContaining(['hexabase:WSAdmins', 'hexabase:WorkspaceMembers', 'system:authenticated']),
    );
  });

  it('rejects a wrong audience, a wrong issuer and an expired token with 401', async () => {
    const bad = [
      await issuer.token({ ...claims, aud: 'ws-other' }),
      await other.token(claims),
      await issuer.token({ ...claims, iss: other.issuer }),
      await issuer.token({
        ...claims,
        exp: Math.floor(Date.now() / 1000) - 120,
        iat: Math.floor(Date.now() / 1000) - 900,
      }),
    ];
    for (const token of bad) {
      const r = await whoami(token);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/Unauthorized|provide credentials/);
    }
  });
});
