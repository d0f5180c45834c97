import { HelmRelease } from '@kubernetes-models/flux-cd/helm.toolkit.fluxcd.io/v2beta2/HelmRelease';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { ClusterRole } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole';
import { ClusterRoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding';
import { Role } from 'kubernetes-models/rbac.authorization.k8s.io/v1/Role';
import { RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { LimitRange } from 'kubernetes-models/v1/LimitRange';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { ResourceQuota } from 'kubernetes-models/v1/ResourceQuota';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import type { Json } from '../testing/http';
import { readVClusterValues } from '../testing/kube/vcluster-values';
import {
  authenticationConfigMap,
  type ChartOptions,
  helmRelease,
  isolation,
  type WorkspaceSpec,
  workspaceNamespace,
} from './host-objects';
import {
  clusterRoleBinding,
  customRole,
  limitRange,
  presetClusterRoles,
  projectNamespace,
  resourceQuota,
  roleBinding,
} from './vcluster-objects';

const limits = {
  quota: { 'requests.cpu': '2', pods: '20' },
  limitRange: { defaultRequest: { cpu: '100m' }, default: { cpu: '500m' }, max: { cpu: '2' } },
};
const ws: WorkspaceSpec = {
  id: 'ws-abcdefghijklmnopqrst',
  organizationId: 'org-abcdefghijklmnopqrst',
  limits,
  dedicatedNodes: null,
  suspended: false,
};
const chart: ChartOptions = {
  repository: 'https://charts.loft.sh',
  version: '0.30.0',
  valuesOverlay: { controlPlane: { statefulSet: { resources: { limits: { memory: '2Gi' } } } } },
  issuerUrl: (id) => `https://hexabase.example.com/oidc/${id}`,
  issuerCaPem: '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
  exposure: {
    mode: 'ingress',
    controller: 'traefik',
    domain: 'vc.example.com',
    port: 443,
    namespace: 'kube-system',
  },
};
const valid = (Model: new (o: never) => { validate: () => void }, o: unknown) =>
  expect(() => new Model(o as never).validate()).not.toThrow();

describe('manifest builders', () => {
  it('build valid host objects with the CONTRACT names and labels', () => {
    const ns = workspaceNamespace(ws);
    valid(Namespace, ns);
    expect(ns.metadata).toEqual({
      name: `hxb-${ws.id}`,
      labels: {
        'app.kubernetes.io/managed-by': 'hexabase',
        'hexabase.ai/workspace-id': ws.id,
        'hexabase.ai/organization-id': ws.organizationId,
      },
    });
    valid(NetworkPolicy, isolation(ws));
    valid(ConfigMap, authenticationConfigMap(ws, chart));
    const hr = helmRelease(ws, chart);
    expect(hr.apiVersion).toBe('helm.toolkit.fluxcd.io/v2');
    // v2 is v2beta2 promoted with the same spec; the model package has v2beta2.
    valid(HelmRelease, { ...hr, apiVersion: 'helm.toolkit.fluxcd.io/v2beta2' });
    expect(() =>
      new HelmRelease({
        apiVersion: 'helm.toolkit.fluxcd.io/v2beta2',
        kind: 'HelmRelease',
        metadata: { name: 'x' },
        spec: { chart: 5 },
      } as never).validate(),
    ).toThrow();
  });

  it('trust only the workspace issuer, with audience = workspace id and the hexabase: prefixes', () => {
    const cfg = parse((authenticationConfigMap(ws, chart) as Json).data['authentication.yaml']!);
    expect(cfg.jwt).toEqual([
      {
        issuer: {
          url: `https://hexabase.example.com/oidc/${ws.id}`,
          audiences: [ws.id],
          certificateAuthority: chart.issuerCaPem,
        },
        claimMappings: {
          username: { claim: 'sub', prefix: 'hexabase:' },
          groups: { claim: 'groups', prefix: 'hexabase:' },
        },
      },
    ]);
  });

  it('produce chart values the vCluster stand-in understands (and the operator overlay wins)', () => {
    const values = (helmRelease(ws, chart) as Json).spec.values;
    const read = readVClusterValues(values);
    expect(read.authentication).toEqual({
      kind: 'configMap',
      name: 'hexabase-authentication',
      key: 'authentication.yaml',
    });
    expect(read.resourceQuota).toEqual(limits.quota);
    expect(
      (values as { controlPlane: { statefulSet: { resources: unknown } } }).controlPlane.statefulSet
        .resources,
    ).toEqual({ limits: { memory: '2Gi' } });
  });

  it('pin every synced pod of a dedicated-node workspace to its claimed nodes, with the taint tolerated', () => {
    const values = (helmRelease({ ...ws, dedicatedNodes: { nodeCount: 2 } }, chart) as Json).spec.values;
    const read = readVClusterValues(values);
    expect(read.nodeSelector).toEqual({ 'hexabase.ai/workspace': ws.id });
    expect(read.enforceTolerations).toEqual([`hexabase.ai/dedicated=${ws.id}:NoSchedule`]);
    // The control plane stays on the platform's nodes: releasing dedicated nodes never moves it.
    expect(values.controlPlane.statefulSet.scheduling).toBeUndefined();
    const shared = readVClusterValues((helmRelease(ws, chart) as Json).spec.values);
    expect(shared.nodeSelector).toBeUndefined();
    expect(shared.enforceTolerations).toEqual([]);
  });

  it('scale the control plane of a suspended workspace to zero and change nothing else (its volumes stay)', () => {
    const running = (helmRelease(ws, chart) as Json).spec.values;
    const hr = helmRelease({ ...ws, suspended: true }, chart);
    valid(HelmRelease, { ...hr, apiVersion: 'helm.toolkit.fluxcd.io/v2beta2' });
    const values = (hr as Json).spec.values;
    expect(values.controlPlane.statefulSet.highAvailability).toEqual({ replicas: 0 });
    const { highAvailability, ...statefulSet } = values.controlPlane.statefulSet;
    expect({ ...values, controlPlane: { ...values.controlPlane, statefulSet } }).toEqual(running);
    expect(readVClusterValues(values).replicas).toBe(0);
    expect(readVClusterValues(running).replicas).toBe(1);
    // An operator overlay that asks for more replicas does not keep a suspended workspace running.
    const ha = {
      ...chart,
      valuesOverlay: { controlPlane: { statefulSet: { highAvailability: { replicas: 3 } } } },
    };
    const overlaid = (helmRelease({ ...ws, suspended: true }, ha) as Json).spec.values;
    expect(overlaid.controlPlane.statefulSet.highAvailability).toEqual({ replicas: 0 });
  });

  it('give the viewer roles no secrets and no exec, attach, port-forward or token subresources', () => {
    const forbidden = [
      'secrets',
      'pods/exec',
      'pods/attach',
      'pods/portforward',
      'serviceaccounts/token',
      '*',
    ];
    for (const name of ['hexabase:workspace-viewer', 'hexabase:project-viewer']) {
      const role = presetClusterRoles().find((r) => r.metadata.name === name) as Json;
      const rules = role.rules as { resources: string[]; verbs: string[] }[];
      expect(rules.flatMap((r) => r.resources).filter((r) => forbidden.includes(r))).toEqual([]);
      expect(rules.flatMap((r) => r.verbs).every((v) => ['get', 'list', 'watch'].includes(v))).toBe(true);
      expect(rules.flatMap((r) => r.resources)).toContain('pods');
    }
  });

  it('build valid objects inside the vCluster', () => {
    const roles = presetClusterRoles();
    expect(roles.map((r) => r.metadata.name)).toEqual([
      'hexabase:workspace-admin',
      'hexabase:workspace-viewer',
      'hexabase:project-admin',
      'hexabase:project-editor',
      'hexabase:project-viewer',
    ]);
    for (const r of roles) valid(ClusterRole, r);
    const crb = clusterRoleBinding({
      id: 'ra-1',
      clusterRoleName: 'hexabase:workspace-admin',
      groupName: 'WSAdmins',
    });
    valid(ClusterRoleBinding, crb);
    expect((crb as Json).subjects[0]!.name).toBe('hexabase:WSAdmins');
    const ns = projectNamespace({ id: 'prj-1', name: 'web' });
    valid(Namespace, ns);
    expect(ns.metadata.labels!['hexabase.ai/project-id']).toBe('prj-1');
    valid(ResourceQuota, resourceQuota('web', limits));
    valid(LimitRange, limitRange('web', limits));
    valid(
      Role,
      customRole('web', {
        name: 'reader',
        rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
      }),
    );
    valid(
      RoleBinding,
      roleBinding('web', {
        id: 'ra-2',
        groupName: 'devs',
        preset: true,
        roleName: 'hexabase:project-viewer',
      }),
    );
  });
});
