import { KUBECONFIG_SECRET } from '../k8s/names';

/**
 * Host-cluster permissions of the functions that talk to it, least privilege: what each one creates and reads,
 * nothing cluster-admin. RBAC cannot say "namespaces named hxb-*", so the ClusterRole grants the kinds and a
 * ValidatingAdmissionPolicy confines the provisioner's writes to tenant namespaces (and their names).
 */
export type RbacOptions = { namespace: string };

const labels = { 'app.kubernetes.io/part-of': 'hexabase', 'app.kubernetes.io/managed-by': 'hexabase' };
const WRITE = ['get', 'create', 'patch', 'delete'];

export const PROVISIONER_SA = 'hexabase-provisioner';
export const USAGE_SAMPLER_SA = 'hexabase-usage-sampler';
export const WORKSPACES_SA = 'hexabase-workspaces';

/** The functions that call the host cluster run as these service accounts; every other one keeps the default. */
export const HOST_ACCOUNTS: Record<string, string> = {
  provisioner: PROVISIONER_SA,
  'usage-sampler': USAGE_SAMPLER_SA,
  workspaces: WORKSPACES_SA,
};

/** Each rule, and why the function needs it (docs/install.md explains them to operators). */
export const PROVISIONER_RULES = [
  // hxb-{wsId}: created with the workspace, deleted with it (server-side apply authorizes as patch, creates as create).
  { apiGroups: [''], resources: ['namespaces'], verbs: WRITE },
  // The vCluster itself: one Flux HelmRelease per tenant namespace, read back for its Ready condition.
  { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: WRITE },
  // The OIDC authentication configuration the vCluster's API server mounts.
  { apiGroups: [''], resources: ['configmaps'], verbs: WRITE },
  // The tenant namespace's isolation and the API server's ingress admission.
  { apiGroups: ['networking.k8s.io'], resources: ['networkpolicies'], verbs: WRITE },
  // TLS passthrough to the vCluster API server behind Traefik; stale routes of a mode left behind are removed.
  { apiGroups: ['traefik.io'], resources: ['ingressroutetcps'], verbs: [...WRITE, 'list'] },
  // The chart's Service: its load balancer address or node port is the workspace endpoint.
  { apiGroups: [''], resources: ['services'], verbs: ['get'] },
  // The admin kubeconfig vCluster exports, and no other Secret: by name.
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [KUBECONFIG_SECRET] },
  // Dedicated nodes: claimed and released by label and taint.
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
];

export const USAGE_SAMPLER_RULES = [
  // Whether the vCluster is ready, then its admin kubeconfig: the sampler reads quotas inside it, nothing outside.
  { apiGroups: ['helm.toolkit.fluxcd.io'], resources: ['helmreleases'], verbs: ['get'] },
  { apiGroups: [''], resources: ['secrets'], verbs: ['get'], resourceNames: [KUBECONFIG_SECRET] },
];

export const WORKSPACES_RULES = [
  // Creating a workspace on dedicated nodes reserves them at request time (409 when there are not enough).
  { apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'patch'] },
];

function account(name: string, rules: object[], opts: RbacOptions) {
  const subject = { kind: 'ServiceAccount', name, namespace: opts.namespace };
  return [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: opts.namespace, labels } },
    { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name, labels }, rules },
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name, labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name },
      subjects: [subject],
    },
  ];
}

/**
 * The provisioner writes only inside tenant namespaces (and nodes, which have none): a request of its service
 * account that creates, changes or deletes a namespaced object elsewhere, or a namespace not named hxb-*, is
 * refused by the API server, whatever RBAC allows.
 */
export function provisionerConfinement(opts: RbacOptions) {
  const name = `${PROVISIONER_SA}-tenant-namespaces-only`;
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicy',
      metadata: { name, labels },
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ['*'],
              apiVersions: ['*'],
              operations: ['CREATE', 'UPDATE', 'DELETE'],
              resources: ['*'],
            },
          ],
        },
        matchConditions: [
          {
            name: 'is-the-provisioner',
            expression: `request.userInfo.username == 'system:serviceaccount:${opts.namespace}:${PROVISIONER_SA}'`,
          },
        ],
        validations: [
          {
            expression:
              "request.namespace.startsWith('hxb-') || (request.kind.kind == 'Namespace' && request.name.startsWith('hxb-')) || request.kind.kind == 'Node'",
            message: 'The Hexabase provisioner writes only in tenant namespaces (hxb-*).',
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'ValidatingAdmissionPolicyBinding',
      metadata: { name, labels },
      spec: { policyName: name, validationActions: ['Deny'] },
    },
  ];
}

export function hostRbac(opts: RbacOptions) {
  return [
    ...account(PROVISIONER_SA, PROVISIONER_RULES, opts),
    ...provisionerConfinement(opts),
    ...account(USAGE_SAMPLER_SA, USAGE_SAMPLER_RULES, opts),
    ...account(WORKSPACES_SA, WORKSPACES_RULES, opts),
  ];
}
