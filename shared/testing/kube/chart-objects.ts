import { ApiException, type CoreV1Api, type KubernetesObjectApi } from '@kubernetes/client-node';
import type { NetworkStandIn } from './network-standin';
import { InvalidValuesError, type StandInConfig } from './vcluster-values';

type ReleaseRef = { name: string; namespace: string };
const isNotFound = (e: unknown) => e instanceof ApiException && e.code === 404;

/**
 * The host objects the vcluster chart renders that matter for reaching the API server: its Service (443 → the
 * API server's 8443, of the type the values ask for) and, when enabled, its Ingress to that Service's https port.
 * Rendered here because the stand-in plays Helm; the shapes follow the chart's templates.
 */
export function chartObjects(release: { name: string; namespace: string }, cfg: StandInConfig) {
  const labels = { app: 'vcluster', release: release.name, heritage: 'Helm' };
  const service = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: release.name, namespace: release.namespace, labels },
    spec: {
      type: cfg.serviceType,
      ports: [
        {
          name: 'https',
          port: 443,
          targetPort: 8443,
          protocol: 'TCP',
          ...(cfg.serviceType !== 'ClusterIP' && cfg.httpsNodePort ? { nodePort: cfg.httpsNodePort } : {}),
        },
      ],
      selector: { app: 'vcluster', release: release.name },
    },
  };
  if (!cfg.ingress) return [service];
  const ingress = {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'Ingress',
    metadata: {
      name: release.name,
      namespace: release.namespace,
      labels,
      ...(Object.keys(cfg.ingress.annotations).length ? { annotations: cfg.ingress.annotations } : {}),
    },
    spec: {
      ...cfg.ingress.spec,
      rules: [
        {
          host: cfg.ingress.host,
          http: {
            paths: [
              {
                path: '/',
                pathType: cfg.ingress.pathType,
                backend: { service: { name: release.name, port: { name: 'https' } } },
              },
            ],
          },
        },
      ],
    },
  };
  return [service, ingress];
}

/** The names vCluster puts on its serving certificate (pkg/server/cert): Service names, ClusterIP, LB, extraSANs. */
export function vclusterSans(
  release: { name: string; namespace: string },
  cfg: StandInConfig,
  observed: { clusterIP?: string; loadBalancer?: string },
): string[] {
  return [
    release.name,
    `${release.name}.${release.namespace}`,
    `${release.name}.${release.namespace}.svc`,
    ...(observed.clusterIP && observed.clusterIP !== 'None' ? [observed.clusterIP] : []),
    ...(observed.loadBalancer ? [observed.loadBalancer] : []),
    ...cfg.extraSANs,
  ];
}

/** What Helm and vCluster do on the host for a release: read the trust config, render objects, apply policies. */
export function chartInstaller(deps: {
  objects: KubernetesObjectApi;
  core: CoreV1Api;
  network: NetworkStandIn;
  apply: (o: object) => Promise<unknown>;
}) {
  const { objects, core, network, apply } = deps;
  const authenticationConfig = async (ns: string, cfg: StandInConfig): Promise<string | undefined> => {
    const a = cfg.authentication;
    if (a.kind === 'none') return undefined;
    if (a.kind === 'inline') return a.config;
    const data =
      a.kind === 'configMap'
        ? (await core.readNamespacedConfigMap({ name: a.name, namespace: ns })).data?.[a.key]
        : Buffer.from(
            (await core.readNamespacedSecret({ name: a.name, namespace: ns })).data?.[a.key] ?? '',
            'base64',
          ).toString();
    if (!data) throw new InvalidValuesError(`${a.kind} ${a.name} has no key ${a.key}`);
    return data;
  };

  const applyPolicies = async (r: ReleaseRef, cfg: StandInConfig) => {
    const meta = (kind: string) => ({
      apiVersion: 'v1',
      kind,
      metadata: { name: `vc-${r.name}`, namespace: r.namespace },
    });
    if (cfg.resourceQuota) await apply({ ...meta('ResourceQuota'), spec: { hard: cfg.resourceQuota } });
    if (cfg.limitRange) {
      const { default: def, defaultRequest, max } = cfg.limitRange;
      await apply({
        ...meta('LimitRange'),
        spec: { limits: [{ type: 'Container', default: def, defaultRequest, max }] },
      });
    }
  };

  /** Helm's part: the chart's Service (and Ingress), then the names vCluster would sign its certificate for. */
  const applyChartObjects = async (r: ReleaseRef, cfg: StandInConfig): Promise<string[]> => {
    const release = { name: r.name, namespace: r.namespace };
    const objs = chartObjects(release, cfg);
    for (const o of objs) await apply(o);
    if (!cfg.ingress)
      await objects
        .delete({ apiVersion: 'networking.k8s.io/v1', kind: 'Ingress', metadata: release } as never)
        .catch((e) => {
          if (!isNotFound(e)) throw e;
        });
    const svc = await core.readNamespacedService(release);
    const loadBalancer =
      cfg.serviceType === 'LoadBalancer'
        ? await network.assignLoadBalancer(release.namespace, release.name)
        : undefined;
    return vclusterSans(release, cfg, {
      ...(svc.spec?.clusterIP ? { clusterIP: svc.spec.clusterIP } : {}),
      ...(loadBalancer ? { loadBalancer } : {}),
    });
  };

  const removeChartObjects = async (r: ReleaseRef) => {
    const metadata = { name: r.name, namespace: r.namespace };
    for (const [apiVersion, kind] of [
      ['v1', 'Service'],
      ['networking.k8s.io/v1', 'Ingress'],
    ])
      await objects.delete({ apiVersion, kind, metadata } as never).catch((e) => {
        if (!isNotFound(e)) throw e;
      });
  };

  return { authenticationConfig, applyPolicies, applyChartObjects, removeChartObjects };
}
