import type { ResourceLimits } from '../plans';
import { PROJECT_PRESET_ROLES, PROJECT_PRESET_RULES, VIEW_RULES } from '../workspaces/presets';
import type { PolicyRuleT } from '../workspaces/roles';
import { groupSubject, LABEL, LIMITS, MANAGED_BY, QUOTA } from './names';

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: unknown;
};

const labels = (extra: Record<string, string> = {}) => ({ ...MANAGED_BY, ...extra });

/** The five preset ClusterRoles every workspace has (project ones are bound per namespace with RoleBindings). */
export function presetClusterRoles(): K8sObject[] {
  const role = (name: string, rules: PolicyRuleT[] | Record<string, unknown>[]) => ({
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRole',
    metadata: { name, labels: labels() },
    rules,
  });
  return [
    role('hexabase:workspace-admin', [
      { apiGroups: ['*'], resources: ['*'], verbs: ['*'] },
      { nonResourceURLs: ['*'], verbs: ['*'] },
    ]),
    role('hexabase:workspace-viewer', VIEW_RULES),
    ...PROJECT_PRESET_ROLES.map((name) => role(name, PROJECT_PRESET_RULES[name])),
  ];
}

export function clusterRoleBinding(a: { id: string; clusterRoleName: string; groupName: string }): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'ClusterRoleBinding',
    metadata: { name: `hexabase-${a.id}`, labels: labels() },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: a.clusterRoleName },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: groupSubject(a.groupName) }],
  };
}

export function projectNamespace(p: { id: string; name: string }): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Namespace',
    metadata: { name: p.name, labels: labels({ [LABEL.project]: p.id }) },
  };
}

export function resourceQuota(namespace: string, limits: ResourceLimits): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'ResourceQuota',
    metadata: { name: QUOTA, namespace, labels: labels() },
    spec: { hard: limits.quota },
  };
}

export function limitRange(namespace: string, limits: ResourceLimits): K8sObject {
  const { default: def, defaultRequest, max } = limits.limitRange;
  return {
    apiVersion: 'v1',
    kind: 'LimitRange',
    metadata: { name: LIMITS, namespace, labels: labels() },
    spec: { limits: [{ type: 'Container', default: def, defaultRequest, max }] },
  };
}

export function customRole(namespace: string, r: { name: string; rules: PolicyRuleT[] }): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'Role',
    metadata: { name: r.name, namespace, labels: labels() },
    rules: r.rules,
  };
}

/** A RoleBinding for an assignment that applies to `namespace` (own or inherited): presets bind the ClusterRole. */
export function roleBinding(
  namespace: string,
  a: { id: string; groupName: string; preset: boolean; roleName: string },
): K8sObject {
  return {
    apiVersion: 'rbac.authorization.k8s.io/v1',
    kind: 'RoleBinding',
    metadata: { name: `hexabase-${a.id}`, namespace, labels: labels() },
    roleRef: {
      apiGroup: 'rbac.authorization.k8s.io',
      kind: a.preset ? 'ClusterRole' : 'Role',
      name: a.roleName,
    },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: groupSubject(a.groupName) }],
  };
}
