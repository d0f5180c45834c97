import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { helm, helmLint, helmTemplate, helmTemplateResult } from './helm';
import {
  CRD_FIXTURE_LABEL,
  ensureCrds,
  installCrds,
  NO_MODEL_KINDS,
  standInCrdNames,
  validateWithModels,
} from './kube/crds';
import { kubectl } from './kube/kubectl';
import { kubeEnvironment } from './kube/worker';

/** A tiny chart with one object of each family the platform chart renders: core, Knative, Prometheus, Tekton. */
function writeChart(dir: string): string {
  const chart = join(dir, 'kit-probe');
  mkdirSync(join(chart, 'templates'), { recursive: true });
  const files: Record<string, string> = {
    'Chart.yaml': 'apiVersion: v2\nname: kit-probe\ndescription: The helm test kit probe\nversion: 0.1.0\n',
    'values.yaml': 'replicas: 1\nimage: registry.example/probe:1.0.0\nconcurrency: 10\n',
    'values.schema.json': JSON.stringify(
      {
        $schema: 'http://json-schema.org/draft-07/schema#',
        type: 'object',
        additionalProperties: false,
        required: ['replicas', 'image', 'concurrency'],
        properties: {
          replicas: { type: 'integer', minimum: 0 },
          image: { type: 'string', minLength: 1 },
          concurrency: { type: 'integer', minimum: 0 },
        },
      },
      null,
      2,
    ),
    'templates/deployment.yaml': `apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}-api
  namespace: {{ .Release.Namespace }}
spec:
  replicas: {{ .Values.replicas }}
  selector:
    matchLabels: {app: {{ .Release.Name }}-api}
  template:
    metadata:
      labels: {app: {{ .Release.Name }}-api}
    spec:
      containers:
        - name: api
          image: {{ .Values.image | quote }}
          ports: [{name: metrics, containerPort: 9464}]
`,
    'templates/ksvc.yaml': `apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: {{ .Release.Name }}-fn
  namespace: {{ .Release.Namespace }}
spec:
  template:
    spec:
      containerConcurrency: {{ .Values.concurrency }}
      containers:
        - image: {{ .Values.image | quote }}
          ports: [{containerPort: 8080}]
`,
    'templates/servicemonitor.yaml': `apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: {{ .Release.Name }}-api
  namespace: {{ .Release.Namespace }}
spec:
  selector:
    matchLabels: {app: {{ .Release.Name }}-api}
  endpoints:
    - port: metrics
      interval: 30s
`,
    'templates/pipeline.yaml': `apiVersion: tekton.dev/v1
kind: Pipeline
metadata:
  name: {{ .Release.Name }}-build
  namespace: {{ .Release.Namespace }}
spec:
  params:
    - name: revision
      type: string
  tasks:
    - name: build
      params:
        - name: revision
          value: $(params.revision)
      taskSpec:
        params:
          - name: revision
            type: string
        steps:
          - name: build
            image: {{ .Values.image | quote }}
            script: echo building $(params.revision)
`,
  };
  for (const [path, text] of Object.entries(files)) writeFileSync(join(chart, path), text);
  return chart;
}

describe('the Helm chart test kit: real helm, upstream CRDs on the run’s host cluster', () => {
  const env = kubeEnvironment();
  const admin = (args: string[], input?: string) =>
    kubectl(env.kubectl, args, { kubeconfig: env.hostKubeconfigPath, ...(input ? { input } : {}) });
  const namespace = `helm-kit-${randomBytes(3).toString('hex')}`;
  const dir = mkdtempSync(join(tmpdir(), 'helm-kit-'));
  const chart = writeChart(dir);
  const dryRun = (objects: object[]) =>
    admin(
      ['apply', '--dry-run=server', '-n', namespace, '-f', '-'],
      objects.map((o) => stringify(o)).join('---\n'),
    );
  let installed: string[] = [];

  // The first install on a run's host cluster sends megabytes of schema: on a busy machine that takes minutes.
  beforeAll(async () => {
    installed = await installCrds(env.kubectl, env.hostKubeconfigPath);
    const ns = await admin(['create', 'namespace', namespace]);
    expect(ns.code, ns.stderr).toBe(0);
  }, 300_000);
  afterAll(async () => {
    await admin(['delete', 'namespace', namespace, '--wait=false', '--ignore-not-found']);
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs helm v4 with a scratch home', async () => {
    const version = await helm(['version', '--short']);
    expect(version.code, version.stderr).toBe(0);
    expect(version.stdout).toMatch(/^v4\.1\.4\+g[0-9a-f]+/);
    const env = await helm(['env']);
    expect(env.stdout).not.toContain(process.env.HOME ?? '/root');
  });

  it('lints the probe chart clean, strict', async () => {
    const lint = await helmLint(chart, [{ replicas: 2 }], ['--strict']);
    expect(lint.code, lint.stdout + lint.stderr).toBe(0);
    expect(lint.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('renders every template into objects that pass their model, or are left to the server (Tekton)', async () => {
    const objects = await helmTemplate(chart, { release: 'probe', namespace });
    expect(
      Object.fromEntries(objects.map((o) => [`${o.apiVersion} ${o.kind}`, validateWithModels(o)])),
    ).toEqual({
      'apps/v1 Deployment': 'valid',
      'monitoring.coreos.com/v1 ServiceMonitor': 'valid',
      'serving.knative.dev/v1 Service': 'valid',
      'tekton.dev/v1 Pipeline': 'no-model',
    });
  });

  it('applies values files in order, later ones winning, and --set over them', async () => {
    const replicas = async (opts: Parameters<typeof helmTemplate>[1]) =>
      (await helmTemplate(chart, opts)).find((o) => o.kind === 'Deployment')?.spec as { replicas: number };
    expect((await replicas({ values: [{ replicas: 2 }, { replicas: 3 }] })).replicas).toBe(3);
    expect((await replicas({ values: [{ replicas: 2 }], set: ['replicas=5'] })).replicas).toBe(5);
  });

  it('installs every upstream CRD, Established, keeping the stand-in’s own, and again without change', async () => {
    expect(installed).toEqual(
      expect.arrayContaining([
        'services.serving.knative.dev',
        'brokers.eventing.knative.dev',
        'triggers.eventing.knative.dev',
        'pingsources.sources.knative.dev',
        'helmrepositories.source.toolkit.fluxcd.io',
        'gitrepositories.source.toolkit.fluxcd.io',
        'servicemonitors.monitoring.coreos.com',
        'prometheusrules.monitoring.coreos.com',
        'clusterpolicies.kyverno.io',
        'middlewares.traefik.io',
        'pipelines.tekton.dev',
        'tasks.tekton.dev',
        'pipelineruns.tekton.dev',
      ]),
    );
    for (const name of standInCrdNames()) expect(installed).not.toContain(name);
    // Every kind left to the server is served by a CRD on the host.
    const crds = await admin(['get', 'crd', ...NO_MODEL_KINDS.map((k) => k.crd), '-o', 'name']);
    expect(crds.code, crds.stderr).toBe(0);
    // Idempotent: applying again (as another test file would) changes nothing, and once the set is labelled
    // installed, a call only checks the labels.
    const generation = async () =>
      (await admin(['get', 'crd', 'clusterpolicies.kyverno.io', '-o', 'jsonpath={.metadata.generation}']))
        .stdout;
    const before = await generation();
    expect(await installCrds(env.kubectl, env.hostKubeconfigPath, { force: true })).toEqual(installed);
    expect(await installCrds(env.kubectl, env.hostKubeconfigPath)).toEqual(installed);
    expect(await generation()).toBe(before);
    const mark = await admin([
      'get',
      'crd',
      'services.serving.knative.dev',
      '-o',
      'jsonpath={.metadata.labels}',
    ]);
    expect(JSON.parse(mark.stdout)).toMatchObject({ [CRD_FIXTURE_LABEL]: basename(ensureCrds()) });
  }, 300_000);

  it('passes a server dry-run of everything rendered against the real schemas', async () => {
    const objects = await helmTemplate(chart, { release: 'probe', namespace });
    const applied = await dryRun(objects);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('pipeline.tekton.dev/probe-build created (server dry run)');
  });

  it('refuses a Knative Service whose containerConcurrency is a string, by the real Knative schema', async () => {
    const ksvc = (await helmTemplate(chart, { release: 'probe', namespace })).find(
      (o) => o.apiVersion === 'serving.knative.dev/v1',
    ) as { spec: { template: { spec: { containerConcurrency: unknown } } } };
    ksvc.spec.template.spec.containerConcurrency = 'x';
    const refused = await dryRun([ksvc]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(
      /spec\.template\.spec\.containerConcurrency in body must be of type integer/,
    );
    expect(() => validateWithModels(ksvc)).toThrow(/containerConcurrency must be integer/);
  });

  it('refuses a Tekton Pipeline with an unknown field, by the real Tekton schema', async () => {
    const pipeline = (await helmTemplate(chart, { release: 'probe', namespace })).find(
      (o) => o.kind === 'Pipeline',
    ) as { spec: Record<string, unknown> };
    pipeline.spec.taskz = [];
    const refused = await dryRun([pipeline]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/unknown field "spec\.taskz"/);
  });

  it('refuses a values typo (replicaz) against values.schema.json', async () => {
    const typo = await helmTemplateResult(chart, { set: ['replicaz=2'] });
    expect(typo.code).not.toBe(0);
    expect(typo.stderr).toMatch(/additional properties 'replicaz' not allowed/);
    await expect(helmTemplate(chart, { set: ['replicaz=2'] })).rejects.toThrow(/replicaz/);
  });
});
