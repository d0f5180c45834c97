import { stringify } from 'yaml';
import type { ResourceLimits } from '../plans';
import { type Exposure, exposureObjects, exposureValues } from './exposure';
import {
  AUTHN_CONFIGMAP,
  AUTHN_MOUNT,
  DEDICATED_TAINT,
  hostNamespace,
  LABEL,
  MANAGED_BY,
  NODE_WORKSPACE_LABEL,
  OIDC_PREFIX,
  RELEASE,
  VCLUSTER_CHART_REPOSITORY,
} from './names';
import type { K8sObject } from './vcluster-objects';

export type WorkspaceSpec = {
  id: string;
  organizationId: string;
  limits: ResourceLimits;
  dedicatedNodes: { nodeCount: number; labels?: Record<string, string> } | null;
  /** Billing suspended the workspace (unpaid past the grace period): the vCluster runs no control plane. */
  suspended: boolean;
};

export type ChartOptions = {
  repository: string;
  version: string;
  /** Operator overlay merged over the generated values (deep merge, operator wins). */
  valuesOverlay: Record<string, unknown>;
  /** The issuer the workspace trusts: `{HEXABASE_PUBLIC_URL}/oidc/{wsId}`, and its CA when private. */
  issuerUrl: (wsId: string) => string;
  issuerCaPem?: string;
  /** How users reach the vCluster API servers from outside the host cluster. */
  exposure: Exposure;
};

const labels = (ws: WorkspaceSpec) => ({
  ...MANAGED_BY,
  [LABEL.workspace]: ws.id,
  [LABEL.organization]: ws.organizationId,
});

export function workspaceNamespace(ws: WorkspaceSpec): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: hostNamespace(ws.id), labels: labels(ws) },
  };
}

/**
 * Tenants cannot reach each other: only traffic from the own namespace and the platform's may enter. Users reach the
 * API server through the separate `hexabase-api-access` policy of the exposure.
 */
export function isolation(ws: WorkspaceSpec): K8sObject {
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: { name: 'hexabase-isolation', namespace: hostNamespace(ws.id), labels: labels(ws) },
    spec: {
      podSelector: {},
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ podSelector: {} }] },
        { from: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'hexabase' } } }] },
      ],
    },
  };
}

/** The structured authentication config the vCluster API server loads: only this workspace's issuer. */
export function authenticationConfigMap(ws: WorkspaceSpec, chart: ChartOptions): K8sObject {
  const config = {
    apiVersion: 'apiserver.config.k8s.io/v1',
    kind: 'AuthenticationConfiguration',
    jwt: [
      {
        issuer: {
          url: chart.issuerUrl(ws.id),
          audiences: [ws.id],
          ...(chart.issuerCaPem ? { certificateAuthority: chart.issuerCaPem } : {}),
        },
        claimMappings: {
          username: { claim: 'sub', prefix: OIDC_PREFIX },
          groups: { claim: 'groups', prefix: OIDC_PREFIX },
        },
      },
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: AUTHN_CONFIGMAP, namespace: hostNamespace(ws.id), labels: labels(ws) },
    data: { 'authentication.yaml': stringify(config) },
  };
}

function merge(base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> {
  const out = { ...base };
  for (const [k, v] of Object.entries(over)) {
    const b = out[k];
    out[k] =
      v && typeof v === 'object' && !Array.isArray(v) && b && typeof b === 'object' && !Array.isArray(b)
        ? merge(b as Record<string, unknown>, v as Record<string, unknown>)
        : v;
  }
  return out;
}

/**
 * Dedicated nodes: vCluster syncs only the claimed nodes and, because a node selector is set, adds it to every pod
 * it syncs to the host (enforced), together with the toleration of the claim's taint. The control plane stays on
 * the platform's nodes, so releasing the nodes never moves it.
 */
function dedicatedValues(ws: WorkspaceSpec): Record<string, unknown> {
  if (!ws.dedicatedNodes) return {};
  return {
    sync: {
      fromHost: {
        nodes: { enabled: true, selector: { all: false, labels: { [NODE_WORKSPACE_LABEL]: ws.id } } },
      },
      toHost: { pods: { enforceTolerations: [`${DEDICATED_TAINT}=${ws.id}:NoSchedule`] } },
    },
  };
}

/**
 * Suspension scales the control plane StatefulSet to zero, as `vcluster pause` does, and changes nothing else: its
 * volume claims (the backing store) stay, so the vCluster comes back with its data when the replicas return.
 */
function suspendedValues(ws: WorkspaceSpec): Record<string, unknown> {
  if (!ws.suspended) return {};
  return { controlPlane: { statefulSet: { highAvailability: { replicas: 0 } } } };
}

/**
 * vcluster.yaml values: k8s distro, OIDC trust mounted from the ConfigMap, plan policies, exposure, dedicated nodes,
 * suspension.
 */
export function vclusterValues(ws: WorkspaceSpec, chart: ChartOptions): Record<string, unknown> {
  const { default: def, defaultRequest, max } = ws.limits.limitRange;
  const values = {
    controlPlane: {
      distro: {
        k8s: {
          enabled: true,
          apiServer: { extraArgs: [`--authentication-config=${AUTHN_MOUNT}/authentication.yaml`] },
        },
      },
      statefulSet: {
        persistence: {
          addVolumes: [{ name: 'hexabase-authentication', configMap: { name: AUTHN_CONFIGMAP } }],
          addVolumeMounts: [{ name: 'hexabase-authentication', mountPath: AUTHN_MOUNT, readOnly: true }],
        },
      },
    },
    policies: {
      resourceQuota: { enabled: true, quota: ws.limits.quota },
      limitRange: { enabled: true, default: def, defaultRequest, max },
      networkPolicy: { enabled: true },
    },
    exportKubeConfig: {
      server: `https://${RELEASE}.${hostNamespace(ws.id)}.svc:443`,
      secret: { name: `vc-${RELEASE}` },
    },
  };
  const generated = [exposureValues(ws.id, chart.exposure), dedicatedValues(ws)].reduce(merge, values);
  // Suspension goes over the operator overlay too: an overlay that sets replicas must not keep a suspended
  // workspace running.
  return merge(merge(generated, chart.valuesOverlay), suspendedValues(ws));
}

/** Everything Hexabase applies on the host for one workspace, in order (the namespace first). */
export function hostObjects(ws: WorkspaceSpec, chart: ChartOptions): K8sObject[] {
  return [
    workspaceNamespace(ws),
    isolation(ws),
    ...exposureObjects({ id: ws.id, namespace: hostNamespace(ws.id), labels: labels(ws) }, chart.exposure),
    authenticationConfigMap(ws, chart),
    helmRelease(ws, chart),
  ];
}

export function helmRelease(ws: WorkspaceSpec, chart: ChartOptions): K8sObject {
  return {
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: RELEASE, namespace: hostNamespace(ws.id), labels: labels(ws) },
    spec: {
      interval: '10m',
      chart: {
        spec: {
          chart: 'vcluster',
          version: chart.version,
          sourceRef: {
            kind: 'HelmRepository',
            name: VCLUSTER_CHART_REPOSITORY.name,
            namespace: VCLUSTER_CHART_REPOSITORY.namespace,
          },
        },
      },
      install: { remediation: { retries: 3 } },
      upgrade: { remediation: { retries: 3 } },
      values: vclusterValues(ws, chart),
    },
  };
}
