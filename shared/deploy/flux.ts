import { VCLUSTER_CHART_REPOSITORY } from '../k8s/names';

/**
 * The Flux source the provisioner's HelmReleases name (shared/k8s/host-objects.ts): the vcluster chart's
 * repository. Installed once with the platform, before the first workspace; without it every release waits with
 * Flux's "HelmRepository not found".
 */
export function vclusterChartRepository() {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: {
      name: VCLUSTER_CHART_REPOSITORY.name,
      namespace: VCLUSTER_CHART_REPOSITORY.namespace,
      labels: { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' },
    },
    // An hour between index fetches: chart versions are pinned (HEXABASE_VCLUSTER_CHART_VERSION), so a new index
    // matters only when that pin moves.
    spec: { url: VCLUSTER_CHART_REPOSITORY.url, interval: '1h' },
  };
}
