import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Service } from '@kubernetes-models/knative/serving.knative.dev/v1/Service';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1/Ingress';
import { describe, expect, it } from 'vitest';
import { DEFAULTS, renderFunctions } from '../../scripts/gen-manifests';
import { routeTable } from '../routes/table';
import { ingress, knativeService } from './knative';

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

  it('are checked by a live validator (a malformed Service is refused)', () => {
    const bad = { metadata: { name: 'x' }, spec: { template: { spec: { containers: 'none' } } } };
    expect(() => new Service(bad as never).validate()).toThrow();
  });

  it('build a valid Ingress routing every prefix, wildcards as one segment', () => {
    const routes = [
      ...routeTable,
      { name: 'workspaces', description: '', prefixes: ['/api/v1/organizations/*/workspaces'] },
    ];
    for (const ing of ingress(routes, DEFAULTS)) {
      expect(() => new Ingress(ing as ConstructorParameters<typeof Ingress>[0]).validate()).not.toThrow();
    }
    const ws = ingress(routes, DEFAULTS).at(-1)!;
    const re = new RegExp(`^${ws.spec.rules[0]!.http.paths[0]!.path}`);
    expect(re.test('/api/v1/organizations/org-1/workspaces/ws-2')).toBe(true);
    expect(re.test('/api/v1/organizations/org-1/billing')).toBe(false);
  });

  it('are committed in their generated form (run `npm run manifests` after changing the route table)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../knative/functions.yaml'), 'utf8');
    expect(committed).toBe(renderFunctions());
  });
});
