import { posix } from 'node:path';
import { authenticationConfiguration } from './control-plane';

/**
 * Reads the parts of vCluster chart values (vcluster.yaml, k8s distro) that the stand-in honours. Anything it
 * cannot honour is an error with a message, the way a failed Helm install is reported in the release status.
 */
export type StandInConfig = {
  authentication:
    | { kind: 'none' }
    | { kind: 'inline'; config: string }
    | { kind: 'configMap' | 'secret'; name: string; key: string };
  resourceQuota?: Record<string, string>;
  limitRange?: {
    default?: Record<string, string>;
    defaultRequest?: Record<string, string>;
    max?: Record<string, string>;
  };
  kubeconfigSecret?: string;
  /** controlPlane.service.spec.type, as the chart's Service gets it. */
  serviceType: 'ClusterIP' | 'NodePort' | 'LoadBalancer';
  httpsNodePort?: number;
  /** controlPlane.ingress: the chart renders a networking.k8s.io Ingress to the Service's https port. */
  ingress?: { host: string; pathType: string; annotations: Record<string, string>; spec: Obj };
  /** controlPlane.proxy.extraSANs: extra names on the API server's certificate. */
  extraSANs: string[];
  /** sync.fromHost.nodes with a label selector: only those host nodes are synced, and pods are pinned to them. */
  nodeSelector?: Record<string, string>;
  /** sync.toHost.pods.enforceTolerations, in vCluster's `key=value:Effect` form. */
  enforceTolerations: string[];
  /**
   * controlPlane.statefulSet.highAvailability.replicas (chart default 1). 0 is a scaled-down vCluster: no API
   * server, data kept; the stand-in runs one API server for any other value.
   */
  replicas: number;
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class InvalidValuesError extends Error {}

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute', ''];

/** vCluster's toleration syntax (key, key=value, key:Effect, key=value:Effect, or *), rejected as vCluster does. */
export function parseToleration(spec: string): { key: string; value?: string; effect?: string } {
  if (spec === '*') return { key: '' };
  const [kv, effect, ...rest] = spec.split(':');
  const [key, value, ...more] = (kv ?? '').split('=');
  if (rest.length || more.length || !key || (value !== undefined && !LABEL_VALUE.test(value)))
    throw new InvalidValuesError(`invalid toleration spec: ${spec}`);
  if (effect !== undefined && !EFFECTS.includes(effect))
    throw new InvalidValuesError(`invalid toleration effect in ${spec}`);
  return { key, ...(value !== undefined ? { value } : {}), ...(effect ? { effect } : {}) };
}

function exposure(v: Obj) {
  const cp = obj(v.controlPlane);
  const service = obj(cp.service);
  const type = obj(service.spec).type ?? 'ClusterIP';
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer')
    throw new InvalidValuesError(`controlPlane.service.spec.type ${String(type)} is not supported`);
  const ing = obj(cp.ingress);
  const extraSANs = arr(obj(cp.proxy).extraSANs).map(String);
  return {
    serviceType: type as StandInConfig['serviceType'],
    ...(Number(service.httpsNodePort) ? { httpsNodePort: Number(service.httpsNodePort) } : {}),
    ...(ing.enabled === true
      ? {
          ingress: {
            host: String(ing.host ?? ''),
            pathType: String(ing.pathType ?? 'ImplementationSpecific'),
            annotations: Object.fromEntries(
              Object.entries(obj(ing.annotations)).map(([k, x]) => [k, String(x)]),
            ),
            spec: obj(ing.spec),
          },
        }
      : {}),
    extraSANs,
  };
}

function nodeSync(v: Obj) {
  const sync = obj(v.sync);
  const nodes = obj(obj(sync.fromHost).nodes);
  const labels = obj(obj(nodes.selector).labels);
  const enforceTolerations = arr(obj(obj(sync.toHost).pods).enforceTolerations).map(String);
  for (const t of enforceTolerations) parseToleration(t);
  return {
    ...(nodes.enabled === true && Object.keys(labels).length
      ? { nodeSelector: Object.fromEntries(Object.entries(labels).map(([k, x]) => [k, String(x)])) }
      : {}),
    enforceTolerations,
  };
}

/** The chart's schema types replicas as an integer, and a StatefulSet refuses a negative count. */
function replicas(v: Obj): number {
  const ha = obj(obj(obj(v.controlPlane).statefulSet).highAvailability);
  if (ha.replicas === undefined) return 1;
  if (!Number.isInteger(ha.replicas) || (ha.replicas as number) < 0)
    throw new InvalidValuesError(
      `controlPlane.statefulSet.highAvailability.replicas must be a non-negative integer, not ${JSON.stringify(ha.replicas)}`,
    );
  return ha.replicas as number;
}

function flag(args: string[], name: string): string | undefined {
  const hit = args.find((a) => a.startsWith(`--${name}=`));
  return hit?.slice(name.length + 3);
}

export function readVClusterValues(values: unknown): StandInConfig {
  const v = obj(values);
  const distro = obj(obj(v.controlPlane).distro);
  const others = Object.entries(distro).filter(([k, d]) => k !== 'k8s' && obj(d).enabled === true);
  if (others.length > 0) throw new InvalidValuesError(`distro ${others[0]![0]} is not supported; use k8s`);
  const k8s = obj(distro.k8s);
  if (k8s.enabled !== true) throw new InvalidValuesError('controlPlane.distro.k8s.enabled must be true');
  const args = arr(obj(k8s.apiServer).extraArgs).map(String);

  let authentication: StandInConfig['authentication'] = { kind: 'none' };
  const authnPath = flag(args, 'authentication-config');
  const oidcIssuer = flag(args, 'oidc-issuer-url');
  if (authnPath) {
    const persistence = obj(obj(obj(v.controlPlane).statefulSet).persistence);
    const mount = arr(persistence.addVolumeMounts)
      .map(obj)
      .find(
        (m) => typeof m.mountPath === 'string' && authnPath.startsWith(`${m.mountPath.replace(/\/$/, '')}/`),
      );
    const volume =
      mount &&
      arr(persistence.addVolumes)
        .map(obj)
        .find((vol) => vol.name === mount.name);
    if (!volume)
      throw new InvalidValuesError(
        `no volume mounted at ${posix.dirname(authnPath)} for --authentication-config`,
      );
    const key = posix.relative(String(mount!.mountPath), authnPath);
    if (volume.configMap)
      authentication = { kind: 'configMap', name: String(obj(volume.configMap).name), key };
    else if (volume.secret)
      authentication = { kind: 'secret', name: String(obj(volume.secret).secretName), key };
    else throw new InvalidValuesError(`volume ${String(volume.name)} must be a configMap or secret`);
  } else if (oidcIssuer) {
    authentication = {
      kind: 'inline',
      config: authenticationConfiguration({
        issuer: oidcIssuer,
        audience: flag(args, 'oidc-client-id') ?? '',
        usernameClaim: flag(args, 'oidc-username-claim') ?? 'sub',
        usernamePrefix: flag(args, 'oidc-username-prefix') ?? '',
        groupsClaim: flag(args, 'oidc-groups-claim') ?? 'groups',
        groupsPrefix: flag(args, 'oidc-groups-prefix') ?? '',
      }),
    };
  }

  const policies = obj(v.policies);
  const rq = obj(policies.resourceQuota);
  const lr = obj(policies.limitRange);
  const strings = (m: unknown) =>
    Object.keys(obj(m)).length
      ? Object.fromEntries(Object.entries(obj(m)).map(([k, x]) => [k, String(x)]))
      : undefined;
  const secretName = obj(obj(v.exportKubeConfig).secret).name;
  return {
    authentication,
    ...(rq.enabled === true ? { resourceQuota: strings(rq.quota) ?? {} } : {}),
    ...(lr.enabled === true
      ? {
          limitRange: {
            default: strings(lr.default),
            defaultRequest: strings(lr.defaultRequest),
            max: strings(lr.max),
          },
        }
      : {}),
    ...(typeof secretName === 'string' && secretName ? { kubeconfigSecret: secretName } : {}),
    ...exposure(v),
    ...nodeSync(v),
    replicas: replicas(v),
  };
}
