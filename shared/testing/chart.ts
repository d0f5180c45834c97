import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { parse, stringify } from 'yaml';
import { helm } from './helm';
import { installCrds, validateWithModels } from './kube/crds';
import { kubectl } from './kube/kubectl';
import { kubeEnvironment } from './kube/worker';

/** Test support for the Helm charts: value sets, the server dry-run, and the umbrella completed offline. */
export const ROOT = join(import.meta.dirname, '../..');
export const PLATFORM_CHART = join(ROOT, 'charts/hexabase-platform');
export const UMBRELLA_CHART = join(ROOT, 'charts/hexabase');

/** A key-encryption key as `openssl rand -base64 32` prints one. */
export const KEK = Buffer.alloc(32, 7).toString('base64');

/** The three value sets of the issue: the defaults, deployments mode with external services, everything on. */
export const VALUE_SETS = {
  'Knative with the bundled services': { secrets: { HEXABASE_KEY_ENCRYPTION_KEY: KEK } },
  'deployments mode with external services': {
    knative: { enabled: false },
    existingSecret: 'hexabase-secrets',
    postgresql: { bundled: false },
    redis: { bundled: false },
    nats: { bundled: false },
    ingress: { controller: 'nginx' },
    autoscaling: { enabled: false },
    functions: { auth: { minScale: 2, maxScale: 4 } },
  },
  'everything optional on': {
    secrets: { HEXABASE_KEY_ENCRYPTION_KEY: KEK, SMTP_URL: 'smtp://mail.example.com:25' },
    config: { HEXABASE_VCLUSTER_DOMAIN: 'ws.example.com', LOG_LEVEL: 'debug' },
    monitoring: { serviceMonitor: true, prometheusRule: true, dashboards: true },
    kyverno: { enabled: true, allowedRegistries: ['ghcr.io', 'registry.example.com'] },
    falco: { enabled: true },
    tekton: { enabled: true },
  },
} as const;

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  // biome-ignore lint/suspicious/noExplicitAny: rendered manifests are read field by field in assertions.
  spec?: any;
  // biome-ignore lint/suspicious/noExplicitAny: idem.
  [key: string]: any;
};

/**
 * The run's host cluster with the upstream CRDs installed, and `dryRun(objects)`: `kubectl apply --dry-run=server`
 * of the objects, in their namespaces (created first, as an operator's `--create-namespace` would).
 */
export function useHostDryRun() {
  const env = kubeEnvironment();
  const run = (args: string[], input?: string) =>
    kubectl(env.kubectl, args, { kubeconfig: env.hostKubeconfigPath, ...(input ? { input } : {}) });
  beforeAll(async () => {
    await installCrds(env.kubectl, env.hostKubeconfigPath);
  }, 300_000);
  return {
    run,
    async dryRun(objects: object[]) {
      const namespaces = [
        ...new Set(
          (objects as K8sObject[]).flatMap((o) => (o.metadata.namespace ? [o.metadata.namespace] : [])),
        ),
      ];
      const ns = namespaces.map((name) =>
        stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } }),
      );
      const created = await run(
        ['apply', '--server-side', '--field-manager', 'hexabase-chart-test', '-f', '-'],
        ns.join('---\n'),
      );
      expect(created.code, created.stderr).toBe(0);
      return run(
        // Forced: objects the run's other files applied for real (the host RBAC) belong to their field managers.
        [
          'apply',
          '--dry-run=server',
          '--server-side',
          '--force-conflicts',
          '--field-manager',
          'helm',
          '-f',
          '-',
        ],
        objects.map((o) => stringify(o)).join('---\n'),
      );
    },
  };
}

/** Every object checked with its model, returning the kinds no model covers (left to the server dry-run). */
export function validateAll(objects: object[]): string[] {
  const noModel = new Set<string>();
  for (const o of objects as K8sObject[])
    if (validateWithModels(o) === 'no-model') noModel.add(`${o.apiVersion} ${o.kind}`);
  return [...noModel].sort();
}

/**
 * The umbrella as `helm dependency build` leaves it: the platform chart packaged into charts/, and for the three
 * third-party charts, which cannot be fetched here, empty charts of the same name and a matching version.
 */
export function useCompletedUmbrella() {
  let dir = '';
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hexabase-umbrella-'));
    const chart = join(dir, 'hexabase');
    cpSync(UMBRELLA_CHART, chart, { recursive: true });
    mkdirSync(join(chart, 'charts'), { recursive: true });
    const packaged = await helm(['package', PLATFORM_CHART, '--destination', join(chart, 'charts')]);
    expect(packaged.code, packaged.stderr).toBe(0);
    const { dependencies } = parse(readFileSync(join(chart, 'Chart.yaml'), 'utf8')) as {
      dependencies: { name: string; version: string; repository: string }[];
    };
    for (const dep of dependencies.filter((d) => !d.repository.startsWith('file://'))) {
      const stub = join(chart, 'charts', dep.name);
      mkdirSync(stub, { recursive: true });
      const version = dep.version.replaceAll('x', '0');
      writeFileSync(join(stub, 'Chart.yaml'), stringify({ apiVersion: 'v2', name: dep.name, version }));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return () => join(dir, 'hexabase');
}
