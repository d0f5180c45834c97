import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, renderFunctions } from '../../scripts/gen-manifests';
import { routeTable } from '../routes/table';
import { hostMiddlewares, ingress, knativeService } from './knative';

describe('Knative manifests from the route table', () => {
  it('build a valid Knative Service per function', () => {
    for (const route of routeTable) {
      const svc = new Service(knativeService(route, DEFAULTS) as ConstructorParameters<typeof Service>[0]);
      expect(() => svc.validate()).not.toThrow();
      expect(svc.spec?.template?.spec?.containers?.[0]?.command).toEqual([
        'node',
        `/app/dist/functions/${route.name}/index.mjs`,
      ]);
    }
  });

  it('declare the metrics port for scraping and pin the process to it, leaving the one routed port to Knative', () => {
    for (const route of routeTable) {
      const { spec } = knativeService(route, DEFAULTS);
      const container = spec.template.spec.containers[0]!;
      // Knative refuses a second container port; the metrics port must never be the routed (public) one.
      expect(container.ports).toEqual([{ containerPort: 8080, name: 'http1' }]);
      expect(container.env).toContainEqual({ name: 'METRICS_PORT', value: '9464' });
      expect(spec.template.metadata.annotations).toMatchObject({
        'prometheus.io/scrape': 'true',
        'prometheus.io/port': '9464',
        'prometheus.io/path': '/metrics',
      });
    }
  });

  it('are checked by a live validator (a malformed Service is refused)', () => {
    const bad = { metadata: { name: 'x' }, spec: { template: { spec: { containers: 'none' } } } };
    expect(() => new Service(bad as never).validate()).toThrow();
  });

  it.each(['traefik', 'nginx'] as const)(
    'build a valid %s Ingress routing every prefix, wildcards as one segment, the most specific first',
    (ingressController) => {
      const opts = { ...DEFAULTS, ingressController };
      const routes = [
        ...routeTable,
        { name: 'workspaces', description: '', prefixes: ['/api/v1/organizations/*/workspaces'] },
      ];
      for (const ing of ingress(routes, opts)) {
        expect(() => new Ingress(ing as ConstructorParameters<typeof Ingress>[0]).validate()).not.toThrow();
        expect(ing.spec.ingressClassName).toBe(ingressController);
      }
      const ws = ingress(routes, opts).at(-1)!;
      const path = ws.spec.rules[0]!.http.paths[0]!.path;
      // The API server refuses a path that does not start with `/`, whatever its type.
      for (const ing of ingress(routes, opts))
        for (const p of ing.spec.rules[0]!.http.paths) expect(p.path.startsWith('/'), p.path).toBe(true);
      // ingress-nginx anchors regex locations itself; Traefik's PathRegexp needs the anchor in the pattern.
      const re = new RegExp(path.startsWith('^') ? path : `^${path}`);
      expect(re.test('/api/v1/organizations/org-1/workspaces/ws-2')).toBe(true);
      expect(re.test('/api/v1/organizations/org-1/billing')).toBe(false);
      if (ingressController === 'traefik') {
        const orgs = ingress(routes, opts).find((i) => i.metadata.name === 'hexabase-organizations')!;
        const prio = (i: typeof ws) =>
          Number(i.metadata.annotations['traefik.ingress.kubernetes.io/router.priority']);
        expect(prio(ws)).toBeGreaterThan(prio(orgs));
        const mw = hostMiddlewares(routes, opts).find((m) => m.metadata.name === 'hexabase-workspaces-host')!;
        expect(mw.spec.headers.customRequestHeaders.Host).toBe(
          'hexabase-workspaces.hexabase.svc.cluster.local',
        );
        expect(ws.metadata.annotations['traefik.ingress.kubernetes.io/router.middlewares']).toBe(
          'hexabase-hexabase-workspaces-host@kubernetescrd',
        );
      } else expect(hostMiddlewares(routes, opts)).toEqual([]);
    },
  );

  it.each(['traefik', 'nginx'] as const)(
    'route the root prefix (the console) to every path, as the least specific %s rule',
    (ingressController) => {
      const opts = { ...DEFAULTS, ingressController };
      const all = ingress(routeTable, opts);
      const root = all.find((i) => i.metadata.name === 'hexabase-console')!;
      const path = root.spec.rules[0]!.http.paths[0]!.path;
      const re = new RegExp(path.startsWith('^') ? path : `^${path}`);
      for (const p of ['/', '/workspaces/ws-1', '/assets/app-X.js']) expect(re.test(p), p).toBe(true);
      if (ingressController === 'traefik') {
        const prio = (i: (typeof all)[number]) =>
          Number(i.metadata.annotations['traefik.ingress.kubernetes.io/router.priority']);
        for (const other of all.filter((i) => i !== root)) expect(prio(other)).toBeGreaterThan(prio(root));
      } else {
        // ingress-nginx tries regex locations longest first: `/` is the shortest of all.
        const lengths = all
          .filter((i) => i !== root)
          .flatMap((i) => i.spec.rules[0]!.http.paths.map((p) => p.path.length));
        expect(Math.min(...lengths)).toBeGreaterThan(path.length);
      }
    },
  );

  it('are committed in their generated form (run `npm run manifests` after changing the route table)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../knative/functions.yaml'), 'utf8');
    expect(committed).toBe(renderFunctions());
  });
});
