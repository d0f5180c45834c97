import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { triggerTable } from '../events/triggers';
import { routeTable } from '../routes/table';
import {
  type K8sObject,
  PLATFORM_CHART,
  ROOT,
  useHostDryRun,
  VALUE_SETS,
  validateAll,
} from '../testing/chart';
import { helmLint, helmTemplate } from '../testing/helm';

/** The platform chart rendered for the three value sets, checked by models and by a real API server. */
const renders = new Map<string, Promise<K8sObject[]>>();
const render = (values: object, release = 'hexabase', namespace = 'hexabase') => {
  const key = JSON.stringify([values, release, namespace]);
  if (!renders.has(key))
    renders.set(
      key,
      helmTemplate(PLATFORM_CHART, { release, namespace, values: [values] }) as Promise<K8sObject[]>,
    );
  // Each test gets its own copy: some change objects to show what the API server refuses.
  return renders.get(key)!.then((objects) => structuredClone(objects));
};

const podSpecOf = (o: K8sObject) =>
  o.kind === 'Service' && o.apiVersion.startsWith('serving.knative.dev')
    ? o.spec.template.spec
    : ['Deployment', 'Job'].includes(o.kind)
      ? o.spec.template.spec
      : undefined;

const committed = (file: string) =>
  parseAllDocuments(readFileSync(join(ROOT, 'knative', file), 'utf8')).map((d) => d.toJS() as K8sObject);
const withoutLabels = ({ metadata: { labels: _, ...metadata }, ...o }: K8sObject) => ({ ...o, metadata });

describe('the platform chart', () => {
  const host = useHostDryRun();

  describe.each(Object.entries(VALUE_SETS))('with %s', (_name, values) => {
    it('lints clean', async () => {
      const lint = await helmLint(PLATFORM_CHART, [values]);
      expect(lint.code, lint.stdout + lint.stderr).toBe(0);
      expect(lint.stdout).not.toMatch(/\[(ERROR|WARNING)\]/);
    });

    it('renders objects every model accepts and the API server admits in a dry run', async () => {
      const objects = await render(values);
      const noModel = validateAll(objects);
      // What no model package covers is exactly what only the real CRDs check.
      for (const kind of noModel)
        expect(kind).toMatch(/^(kyverno\.io|traefik\.io|tekton\.dev|source\.toolkit)/);
      const applied = await host.dryRun(objects);
      expect(applied.code, applied.stderr).toBe(0);
      expect(applied.stdout.trim().split('\n')).toHaveLength(objects.length);
    });

    it('runs every function from the image, non-root on a read-only root filesystem, with resources and probes', async () => {
      const objects = await render(values);
      const pods = objects.flatMap((o) => (podSpecOf(o) ? [[o, podSpecOf(o)] as const] : []));
      const entries = pods.map(([, spec]) => spec.containers[0].command.at(-1));
      for (const r of routeTable) expect(entries).toContain(`/app/dist/functions/${r.name}/index.mjs`);
      for (const [o, spec] of pods) {
        for (const c of spec.containers) {
          expect(c.image, o.metadata.name).toBe('ghcr.io/hexabase/hexabase:0.1.0');
          expect(c.securityContext).toMatchObject({
            runAsNonRoot: true,
            readOnlyRootFilesystem: true,
            allowPrivilegeEscalation: false,
            capabilities: { drop: ['ALL'] },
          });
          expect(c.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
          if (o.kind !== 'Job') expect(c.readinessProbe.httpGet.path).toBe('/readyz');
        }
      }
    });
  });

  it('under Knative renders the same Services, Triggers and tick as knative/*.yaml: one source for both', async () => {
    const objects = await render(VALUE_SETS['Knative with the bundled services']);
    const of = (kind: string, group: string) =>
      objects.filter((o) => o.kind === kind && o.apiVersion.startsWith(group)).map(withoutLabels);
    const generated = [...committed('functions.yaml'), ...committed('eventing.yaml')];
    const expected = (kind: string, group: string) =>
      generated.filter((o) => o.kind === kind && o.apiVersion.startsWith(group)).map(withoutLabels);
    expect(of('Trigger', 'eventing')).toEqual(expected('Trigger', 'eventing'));
    expect(of('Trigger', 'eventing')).toHaveLength(triggerTable.flatMap((t) => t.types).length);
    expect(of('PingSource', 'sources')).toEqual(expected('PingSource', 'sources'));
    expect(of('Broker', 'eventing')).toEqual(expected('Broker', 'eventing'));
    const shape = (svc: K8sObject) => {
      const { containers, ...spec } = svc.spec.template.spec;
      const { command, ports, readinessProbe, livenessProbe, securityContext } = containers[0];
      return [
        svc.metadata.name,
        svc.spec.template.metadata.annotations,
        spec,
        command,
        ports,
        readinessProbe,
        livenessProbe,
        securityContext,
      ];
    };
    const services = of('Service', 'serving').map((s) => {
      const { imagePullSecrets: _, ...spec } = s.spec.template.spec;
      return shape({ ...s, spec: { template: { ...s.spec.template, spec } } });
    });
    expect(services).toEqual(expected('Service', 'serving').map(shape));
  });

  it('in deployments mode renders no Knative object; the relay delivers events and ticks instead', async () => {
    const objects = await render(VALUE_SETS['deployments mode with external services']);
    expect(objects.filter((o) => o.apiVersion.includes('knative.dev'))).toEqual([]);
    const relay = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'hexabase-relay')!;
    expect(relay.spec.template.spec.containers[0].env).toContainEqual({
      name: 'HEXABASE_FUNCTION_URL',
      value: 'http://hexabase-{function}.hexabase.svc.cluster.local',
    });
    const services = objects.filter((o) => o.kind === 'Service' && o.apiVersion === 'v1');
    for (const r of routeTable) expect(services.map((s) => s.metadata.name)).toContain(`hexabase-${r.name}`);
    // Without an autoscaler the Deployment names its replicas: the function's own minScale, else the table's.
    const auth = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'hexabase-auth')!;
    expect(auth.spec.replicas).toBe(2);
    expect(objects.filter((o) => o.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    // External services: no URL of a bundled one, settings from the operator's Secret.
    const env = auth.spec.template.spec.containers[0].env.map((e: { name: string }) => e.name);
    expect(env).not.toContain('DATABASE_URL');
    expect(auth.spec.template.spec.containers[0].envFrom).toContainEqual({
      secretRef: { name: 'hexabase-secrets' },
    });
    expect(objects.find((o) => o.kind === 'Secret')).toBeUndefined();
  });

  it('leaves replicas to the autoscaler when there is one', async () => {
    const objects = await render({
      ...VALUE_SETS['Knative with the bundled services'],
      knative: { enabled: false },
    });
    const deployments = objects.filter((o) => o.kind === 'Deployment');
    expect(deployments).toHaveLength(routeTable.length);
    for (const d of deployments) expect(d.spec.replicas).toBeUndefined();
    const hpas = objects.filter((o) => o.kind === 'HorizontalPodAutoscaler');
    expect(hpas.map((h) => h.spec.scaleTargetRef.name).sort()).toEqual(
      deployments.map((d) => d.metadata.name).sort(),
    );
  });

  it('runs the migrations after the install with bundled services, before it with an existing Secret and database', async () => {
    const hook = async (values: object) =>
      (await render(values)).find((o) => o.kind === 'Job')?.metadata.annotations?.['helm.sh/hook'];
    expect(await hook(VALUE_SETS['Knative with the bundled services'])).toBe('post-install,pre-upgrade');
    expect(await hook(VALUE_SETS['deployments mode with external services'])).toBe('pre-install,pre-upgrade');
  });

  it("composes the bundled services' URLs from their charts' Secrets, named after the release", async () => {
    const objects = await render(VALUE_SETS['Knative with the bundled services'], 'acme');
    const env = objects.find((o) => o.metadata.name === 'hexabase-auth' && o.kind === 'Service')!.spec
      .template.spec.containers[0].env;
    expect(env).toContainEqual({
      name: 'HEXABASE_POSTGRES_PASSWORD',
      valueFrom: { secretKeyRef: { name: 'acme-postgresql', key: 'password' } },
    });
    expect(env).toContainEqual({
      name: 'DATABASE_URL',
      value:
        'postgres://hexabase:$(HEXABASE_POSTGRES_PASSWORD)@acme-postgresql.hexabase.svc.cluster.local:5432/hexabase',
    });
    expect(env).toContainEqual({
      name: 'NATS_URL',
      value: 'nats://acme-nats.hexabase.svc.cluster.local:4222',
    });
  });

  it('the API server refuses what the chart must never render (the dry run is not a rubber stamp)', async () => {
    const objects = await render(VALUE_SETS['deployments mode with external services']);
    const auth = structuredClone(objects.find((o) => o.kind === 'Deployment')!);
    auth.spec.template.spec.containers[0].ports[0].containerPort = 'http';
    const refused = await host.dryRun([auth]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/containerPort/);
  });
});
