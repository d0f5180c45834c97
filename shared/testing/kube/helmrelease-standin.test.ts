import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { startTestIssuer, type TestIssuer } from '../oidc-issuer';
import { authenticationConfiguration } from './control-plane';
import { kubeconfigYaml } from './kubeconfig';
import { kubectl } from './kubectl';
import { waitFor } from './supervisor';
import { InvalidValuesError, readVClusterValues } from './vcluster-values';
import { kubeEnvironment } from './worker';

const kube = kubeEnvironment();
const tmp = mkdtempSync(join(tmpdir(), 'hexabase-standin-'));
const host = (args: string[], input?: string) =>
  kubectl(kube.kubectl, args, { kubeconfig: kube.hostKubeconfigPath, ...(input ? { input } : {}) });

function release(ns: string, values: unknown) {
  return stringify({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'vcluster', namespace: ns },
    spec: {
      interval: '10m',
      chart: {
        spec: { chart: 'vcluster', version: '0.30.x', sourceRef: { kind: 'HelmRepository', name: 'loft' } },
      },
      values,
    },
  });
}

const ready = (ns: string) =>
  host([
    'get',
    'helmrelease',
    'vcluster',
    '-n',
    ns,
    '-o',
    'jsonpath={.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].message}',
  ]);

describe('Flux/vCluster stand-in', () => {
  let issuer: TestIssuer;
  const ns = `hxb-standin-${Math.random().toString(36).slice(2, 8)}`;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    expect((await host(['create', 'namespace', ns])).code).toBe(0);
  });
  afterAll(() => issuer?.close());

  it('turns a vcluster HelmRelease into a reachable virtual cluster configured from its values, and stops it on delete', async () => {
    const authn = authenticationConfiguration({
      issuer: issuer.issuer,
      audience: 'ws-standin',
      caPem: issuer.caPem,
      usernamePrefix: 'hexabase:',
      groupsPrefix: 'hexabase:',
    });
    const configMap = stringify({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'vcluster-authentication', namespace: ns },
      data: { 'authentication.yaml': authn },
    });
    expect((await host(['apply', '-f', '-'], configMap)).code).toBe(0);
    const values = {
      controlPlane: {
        distro: {
          k8s: {
            enabled: true,
            apiServer: { extraArgs: ['--authentication-config=/etc/hexabase/authn/authentication.yaml'] },
          },
        },
        statefulSet: {
          persistence: {
            addVolumes: [{ name: 'authn', configMap: { name: 'vcluster-authentication' } }],
            addVolumeMounts: [{ name: 'authn', mountPath: '/etc/hexabase/authn' }],
          },
        },
      },
      policies: {
        resourceQuota: { enabled: true, quota: { 'requests.cpu': '2', pods: '20' } },
        limitRange: { enabled: true, default: { cpu: '500m' }, defaultRequest: { cpu: '100m' } },
      },
    };
    const applied = await host(['apply', '-f', '-'], release(ns, values));
    expect(applied.code, applied.stderr).toBe(0);

    await waitFor(
      'release Ready',
      async () => ((await ready(ns)).stdout.startsWith('True|') ? true : undefined),
      {
        timeoutMs: 90_000,
        intervalMs: 500,
      },
    );
    const secret = await host(['get', 'secret', 'vc-vcluster', '-n', ns, '-o', 'jsonpath={.data.config}']);
    expect(secret.code).toBe(0);
    const vcConfig = join(tmp, 'vc-config');
    writeFileSync(vcConfig, Buffer.from(secret.stdout, 'base64'));

    // It is a separate cluster: the host's namespace does not exist in it.
    const inside = await kubectl(kube.kubectl, ['get', 'namespaces', '-o', 'name'], { kubeconfig: vcConfig });
    expect(inside.code).toBe(0);
    expect(inside.stdout).toContain('namespace/default');
    expect(inside.stdout).not.toContain(ns);

    // The plan policies landed on the host namespace, as vCluster applies them.
    const quota = await host([
      'get',
      'resourcequota',
      'vc-vcluster',
      '-n',
      ns,
      '-o',
      'jsonpath={.spec.hard.pods}',
    ]);
    expect(quota.stdout).toBe('20');
    expect((await host(['get', 'limitrange', 'vc-vcluster', '-n', ns])).code).toBe(0);

    // The OIDC trust came from the values: a token of that issuer works against the virtual cluster
    // (with a kubeconfig that carries no client certificate, which would take precedence).
    const server = /server: (\S+)/.exec(Buffer.from(secret.stdout, 'base64').toString())![1]!;
    const ca = await host([
      'get',
      'secret',
      'vc-vcluster',
      '-n',
      ns,
      '-o',
      'jsonpath={.data.certificate-authority}',
    ]);
    const tokenConfig = join(tmp, 'vc-token');
    writeFileSync(
      tokenConfig,
      kubeconfigYaml({ name: 'vc', server, caPem: Buffer.from(ca.stdout, 'base64').toString() }),
    );
    const token = await issuer.token({ sub: 'usr-1', aud: 'ws-standin', groups: ['WSUsers'] });
    const who = await waitFor(
      'token accepted',
      async () => {
        const r = await kubectl(
          kube.kubectl,
          ['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}', '--token', token],
          {
            kubeconfig: tokenConfig,
          },
        );
        return r.code === 0 ? r.stdout : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    expect(who).toBe('hexabase:usr-1');

    expect(
      (await host(['delete', 'helmrelease', 'vcluster', '-n', ns, '--wait=true', '--timeout=60s'])).code,
    ).toBe(0);
    expect((await host(['get', 'secret', 'vc-vcluster', '-n', ns])).stderr).toContain('NotFound');
    const after = await kubectl(kube.kubectl, ['get', 'namespaces', '--request-timeout=3s'], {
      kubeconfig: vcConfig,
    });
    expect(after.code).not.toBe(0);
    expect(after.stderr).toMatch(/connection refused|Unable to connect|was refused/);
  });

  it('scales a virtual cluster to zero (its API server stops) and back, with its objects and credentials kept', async () => {
    const scaled = `hxb-standin-scale-${Math.random().toString(36).slice(2, 8)}`;
    expect((await host(['create', 'namespace', scaled])).code).toBe(0);
    const values = (replicas?: number) => ({
      controlPlane: {
        distro: { k8s: { enabled: true } },
        ...(replicas === undefined ? {} : { statefulSet: { highAvailability: { replicas } } }),
      },
    });
    /** The release's verdict once helm-controller has observed its current generation. */
    const verdict = () =>
      waitFor(
        'release verdict for its generation',
        async () => {
          const r = await host([
            'get',
            'helmrelease',
            'vcluster',
            '-n',
            scaled,
            '-o',
            'jsonpath={.metadata.generation}|{.status.conditions[?(@.type=="Ready")].observedGeneration}|{.status.conditions[?(@.type=="Ready")].status}|{.status.conditions[?(@.type=="Ready")].reason}',
          ]);
          const [generation, observed, status, reason] = r.stdout.split('|');
          return generation && generation === observed ? `${status}|${reason}` : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 300 },
      );
    const scale = async (replicas?: number) =>
      expect((await host(['apply', '-f', '-'], release(scaled, values(replicas)))).code).toBe(0);

    await scale();
    expect(await verdict()).toBe('True|InstallSucceeded');
    const secret = await host([
      'get',
      'secret',
      'vc-vcluster',
      '-n',
      scaled,
      '-o',
      'jsonpath={.data.config}',
    ]);
    const vcConfig = join(tmp, 'vc-scaled');
    writeFileSync(vcConfig, Buffer.from(secret.stdout, 'base64'));
    const inside = (...args: string[]) =>
      kubectl(kube.kubectl, [...args, '--request-timeout=5s'], { kubeconfig: vcConfig });
    expect((await inside('create', 'namespace', 'kept')).code).toBe(0);

    // Scaled to zero the upgrade succeeds as Flux reports it, and the API server is already gone by then.
    await scale(0);
    expect(await verdict()).toBe('True|UpgradeSucceeded');
    const down = await inside('get', 'namespace', 'kept');
    expect(down.code).not.toBe(0);
    expect(down.stderr).toMatch(/connection refused|Unable to connect|was refused/);

    // Back to one replica: the same server, certificates and objects.
    await scale(1);
    expect(await verdict()).toBe('True|UpgradeSucceeded');
    const back = await inside('get', 'namespace', 'kept', '-o', 'name');
    expect(back.stdout.trim(), back.stderr).toBe('namespace/kept');
    const again = await host(['get', 'secret', 'vc-vcluster', '-n', scaled, '-o', 'jsonpath={.data.config}']);
    expect(again.stdout).toBe(secret.stdout);

    // A release scaled to zero is deleted like any other.
    await scale(0);
    expect(await verdict()).toBe('True|UpgradeSucceeded');
    expect((await host(['delete', 'namespace', scaled, '--wait=true', '--timeout=60s'])).code).toBe(0);
  });

  it('refuses a replica count that is not a non-negative integer, as the chart does', () => {
    expect(() =>
      readVClusterValues({
        controlPlane: {
          distro: { k8s: { enabled: true } },
          statefulSet: { highAvailability: { replicas: -1 } },
        },
      }),
    ).toThrow(InvalidValuesError);
  });

  it('reports values it cannot install as Ready=False with a readable message', async () => {
    const bad = `hxb-standin-bad-${Math.random().toString(36).slice(2, 8)}`;
    expect((await host(['create', 'namespace', bad])).code).toBe(0);
    expect(
      (
        await host(
          ['apply', '-f', '-'],
          release(bad, { controlPlane: { distro: { k3s: { enabled: true } } } }),
        )
      ).code,
    ).toBe(0);
    const status = await waitFor(
      'release failed',
      async () => {
        const r = await ready(bad);
        return r.stdout.startsWith('False|') ? r.stdout : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(status).toMatch(/distro k3s is not supported/);
    expect((await host(['get', 'secret', 'vc-vcluster', '-n', bad])).stderr).toContain('NotFound');
    expect((await host(['delete', 'namespace', bad, '--wait=true', '--timeout=60s'])).code).toBe(0);
  });
});
