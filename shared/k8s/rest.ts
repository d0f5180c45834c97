import { readFileSync } from 'node:fs';
import { request } from 'node:https';
import { type Span, SpanKind } from '@opentelemetry/api';
import { parse } from 'yaml';
import { inSpan } from '../telemetry/spans';

/**
 * A small Kubernetes REST client for the few kinds Hexabase manages. @kubernetes/client-node would add 1.7 MB of
 * generated models to every bundle that reconciles (and re-serialises objects through them); the API calls needed
 * here are a handful: server-side apply, merge patch, get, list by label, delete.
 */
export type Credentials = { server: string; ca?: string; cert?: string; key?: string; token?: string };

export class KubeError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The API server's own message (Status.message), fit to show users: no paths or verbs of ours. */
    readonly serverMessage?: string,
  ) {
    super(message);
  }
}

export const isNotFound = (e: unknown) => e instanceof KubeError && e.status === 404;
export const isConflict = (e: unknown) => e instanceof KubeError && e.status === 409;

const RESOURCES: Record<string, { group: string; version: string; plural: string; namespaced: boolean }> = {
  Namespace: { group: '', version: 'v1', plural: 'namespaces', namespaced: false },
  ConfigMap: { group: '', version: 'v1', plural: 'configmaps', namespaced: true },
  Secret: { group: '', version: 'v1', plural: 'secrets', namespaced: true },
  ResourceQuota: { group: '', version: 'v1', plural: 'resourcequotas', namespaced: true },
  LimitRange: { group: '', version: 'v1', plural: 'limitranges', namespaced: true },
  NetworkPolicy: { group: 'networking.k8s.io', version: 'v1', plural: 'networkpolicies', namespaced: true },
  ClusterRole: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterroles',
    namespaced: false,
  },
  ClusterRoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'clusterrolebindings',
    namespaced: false,
  },
  Role: { group: 'rbac.authorization.k8s.io', version: 'v1', plural: 'roles', namespaced: true },
  RoleBinding: {
    group: 'rbac.authorization.k8s.io',
    version: 'v1',
    plural: 'rolebindings',
    namespaced: true,
  },
  HelmRelease: { group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases', namespaced: true },
  Node: { group: '', version: 'v1', plural: 'nodes', namespaced: false },
  Service: { group: '', version: 'v1', plural: 'services', namespaced: true },
  Ingress: { group: 'networking.k8s.io', version: 'v1', plural: 'ingresses', namespaced: true },
  IngressRouteTCP: { group: 'traefik.io', version: 'v1alpha1', plural: 'ingressroutetcps', namespaced: true },
};

export type Ref = { kind: string; name?: string; namespace?: string };

export function resourcePath(ref: Ref): string {
  const r = RESOURCES[ref.kind];
  if (!r) throw new Error(`unsupported kind ${ref.kind}`);
  const base = r.group ? `/apis/${r.group}/${r.version}` : `/api/${r.version}`;
  const ns = r.namespaced && ref.namespace ? `/namespaces/${ref.namespace}` : '';
  return `${base}${ns}/${r.plural}${ref.name ? `/${ref.name}` : ''}`;
}

const b64 = (s: string | undefined) => (s ? Buffer.from(s, 'base64').toString() : undefined);

export function credentialsFromKubeconfig(yaml: string): Credentials {
  const cfg = parse(yaml) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    clusters: {
      name: string;
      cluster: { server: string; 'certificate-authority-data'?: string; 'certificate-authority'?: string };
    }[];
    users: {
      name: string;
      user: { 'client-certificate-data'?: string; 'client-key-data'?: string; token?: string };
    }[];
  };
  const ctx = cfg.contexts?.find((c) => c.name === cfg['current-context'])?.context;
  const cluster = (cfg.clusters.find((c) => c.name === ctx?.cluster) ?? cfg.clusters[0])!.cluster;
  const user = (cfg.users.find((u) => u.name === ctx?.user) ?? cfg.users[0])?.user ?? {};
  return {
    server: cluster.server,
    ca:
      b64(cluster['certificate-authority-data']) ??
      (cluster['certificate-authority'] ? readFileSync(cluster['certificate-authority'], 'utf8') : undefined),
    cert: b64(user['client-certificate-data']),
    key: b64(user['client-key-data']),
    token: user.token,
  };
}

/** The pod's own service account, as every in-cluster client does. */
export function inClusterCredentials(host: string, port = '443'): Credentials {
  const dir = '/var/run/secrets/kubernetes.io/serviceaccount';
  return {
    server: `https://${host}:${port}`,
    ca: readFileSync(`${dir}/ca.crt`, 'utf8'),
    token: readFileSync(`${dir}/token`, 'utf8').trim(),
  };
}

export type Kube = {
  apply: (obj: {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string };
  }) => Promise<unknown>;
  get: <T = Record<string, unknown>>(ref: Ref) => Promise<T | undefined>;
  list: <T = Record<string, unknown>>(ref: Ref, labelSelector: string) => Promise<T[]>;
  delete: (ref: Ref) => Promise<void>;
  /**
   * JSON merge patch. A `metadata.resourceVersion` in the patch makes it conditional: the API server answers 409
   * when the object changed since that version (optimistic concurrency).
   */
  patch: <T = Record<string, unknown>>(ref: Ref, patch: Record<string, unknown>) => Promise<T>;
};

export function kube(creds: Credentials, fieldManager = 'hexabase'): Kube {
  const call = (method: string, path: string, body?: unknown, contentType = 'application/json') =>
    new Promise<Answer>((resolve, reject) => {
      const url = new URL(path, creds.server);
      const req = request(
        url,
        {
          method,
          ca: creds.ca,
          cert: creds.cert,
          key: creds.key,
          timeout: 15_000,
          headers: {
            accept: 'application/json',
            ...(body !== undefined ? { 'content-type': contentType } : {}),
            ...(creds.token ? { authorization: `Bearer ${creds.token}` } : {}),
          },
        },
        (res) => {
          let raw = '';
          res.on('data', (c) => {
            raw += c;
          });
          res.on('end', () => {
            let json: unknown = raw;
            try {
              json = raw ? JSON.parse(raw) : undefined;
            } catch {}
            const status = res.statusCode ?? 0;
            if (status >= 400) {
              const message = (json as { message?: string })?.message;
              const text = `${method} ${path}: ${status} ${message ?? raw}`.slice(0, 500);
              reject(new KubeError(status, text, message?.slice(0, 500)));
            } else resolve({ status, json });
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
      req.on('error', reject);
      req.end(body === undefined ? undefined : JSON.stringify(body));
    });
  /**
   * One API call as a client span (`k8s.apply HelmRelease`): method, kind, namespace and status, never a name,
   * a body or the server's message (a Secret's would be its data). A status the verb turns into an answer (a
   * get's 404) does not fail the span; any other error fails it with its status as `error.type`.
   */
  const traced = <T>(
    verb: string,
    method: string,
    ref: Ref,
    fn: (send: (path: string, body?: unknown, contentType?: string) => Promise<Answer>) => Promise<T>,
  ) =>
    inSpan(
      `k8s.${verb} ${ref.kind}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'http.request.method': method,
          'k8s.resource.kind': ref.kind,
          ...(ref.namespace ? { 'k8s.namespace.name': ref.namespace } : {}),
        },
        errorType: (err) => (err instanceof KubeError ? String(err.status) : undefined),
      },
      (span) => fn((path, body, contentType) => recorded(span, call(method, path, body, contentType))),
    );
  return {
    apply: (obj) => {
      const ref = { kind: obj.kind, name: obj.metadata.name, namespace: obj.metadata.namespace };
      return traced(
        'apply',
        'PATCH',
        ref,
        async (send) =>
          (
            await send(
              `${resourcePath(ref)}?fieldManager=${fieldManager}&force=true`,
              obj,
              'application/apply-patch+yaml',
            )
          ).json,
      );
    },
    get: (ref) =>
      traced('get', 'GET', ref, async (send) => {
        try {
          return (await send(resourcePath(ref))).json as never;
        } catch (err) {
          if (isNotFound(err)) return undefined;
          throw err;
        }
      }),
    list: (ref, labelSelector) =>
      traced(
        'list',
        'GET',
        ref,
        async (send) =>
          (
            (await send(`${resourcePath(ref)}?labelSelector=${encodeURIComponent(labelSelector)}`)).json as {
              items: never[];
            }
          ).items,
      ),
    delete: (ref) =>
      traced('delete', 'DELETE', ref, async (send) => {
        await send(resourcePath(ref)).catch((err) => {
          if (!isNotFound(err)) throw err;
        });
      }),
    patch: (ref, patch) =>
      traced(
        'patch',
        'PATCH',
        ref,
        async (send) =>
          (
            await send(
              `${resourcePath(ref)}?fieldManager=${fieldManager}`,
              patch,
              'application/merge-patch+json',
            )
          ).json as never,
      ),
  };
}

type Answer = { status: number; json: unknown };

/** The answer's status on the span, an error's too. */
async function recorded(span: Span, answer: Promise<Answer>): Promise<Answer> {
  try {
    const res = await answer;
    span.setAttribute('http.response.status_code', res.status);
    return res;
  } catch (err) {
    if (err instanceof KubeError) span.setAttribute('http.response.status_code', err.status);
    throw err;
  }
}
