import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { HelmRepository } from '@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1beta2/HelmRepository';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { renderFlux } from '../../scripts/gen-manifests';
import { parseEnv } from '../env';
import { helmRelease } from '../k8s/host-objects';
import { chartOptions } from '../provisioner/host';
import { vclusterChartRepository } from './flux';

describe("the vcluster chart's Flux source", () => {
  it('is a valid HelmRepository, and the one every workspace HelmRelease names', () => {
    const repo = vclusterChartRepository();
    // The models package stops at v1beta2, whose HelmRepository spec v1 kept as it was.
    new HelmRepository({ ...repo, apiVersion: 'source.toolkit.fluxcd.io/v1beta2' } as never).validate();
    expect(() =>
      new HelmRepository({
        ...repo,
        apiVersion: 'source.toolkit.fluxcd.io/v1beta2',
        spec: { interval: 1 },
      } as never).validate(),
    ).toThrow();
    const release = helmRelease(
      {
        id: 'ws-abcdefghijklmnopqrst',
        organizationId: 'org-abcdefghijklmnopqrst',
        limits: { quota: { pods: '20' }, limitRange: { defaultRequest: {}, default: {}, max: {} } },
        dedicatedNodes: null,
        suspended: false,
      },
      chartOptions(parseEnv({ HEXABASE_PUBLIC_URL: 'https://hexabase.example.com' })),
    ) as unknown as { spec: { chart: { spec: { sourceRef: unknown } } } };
    expect(release.spec.chart.spec.sourceRef).toEqual({
      kind: 'HelmRepository',
      name: repo.metadata.name,
      namespace: repo.metadata.namespace,
    });
  });

  it('is committed in its generated form (run `npm run manifests`)', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../knative/flux.yaml'), 'utf8');
    expect(committed).toBe(renderFlux());
    expect(parse(committed)).toEqual(vclusterChartRepository());
  });
});
