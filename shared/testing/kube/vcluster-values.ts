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
};

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

export class InvalidValuesError extends Error {}

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
  };
}
