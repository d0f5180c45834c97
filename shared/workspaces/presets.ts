/** Preset roles: the same in every workspace and project, so they live in code, not rows. */
export const WORKSPACE_CLUSTER_ROLES = ['hexabase:workspace-admin', 'hexabase:workspace-viewer'] as const;
export type WorkspaceClusterRole = (typeof WORKSPACE_CLUSTER_ROLES)[number];

export const PROJECT_PRESET_ROLES = [
  'hexabase:project-admin',
  'hexabase:project-editor',
  'hexabase:project-viewer',
] as const;
export type ProjectPresetRole = (typeof PROJECT_PRESET_ROLES)[number];

export const DEFAULT_GROUPS = { root: 'WorkspaceMembers', admins: 'WSAdmins', users: 'WSUsers' } as const;

type Rule = { apiGroups: string[]; resources: string[]; verbs: string[] };

const READ = ['get', 'list', 'watch'];
const WRITE = ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete', 'deletecollection'];

/**
 * What a viewer may read, resource by resource (Kubernetes' own `view` role is built the same way): never
 * `secrets`, nor the subresources that act rather than read (`pods/exec`, `pods/attach`, `pods/portforward`,
 * `serviceaccounts/token`), which a `resources: ['*']` rule would include.
 */
export const VIEW_RULES: Rule[] = [
  {
    apiGroups: [''],
    resources: [
      'pods',
      'pods/log',
      'pods/status',
      'services',
      'services/status',
      'endpoints',
      'configmaps',
      'persistentvolumeclaims',
      'persistentvolumeclaims/status',
      'replicationcontrollers',
      'replicationcontrollers/scale',
      'replicationcontrollers/status',
      'serviceaccounts',
      'events',
      'limitranges',
      'resourcequotas',
      'resourcequotas/status',
      'namespaces',
      'namespaces/status',
    ],
    verbs: READ,
  },
  {
    apiGroups: ['apps'],
    resources: [
      'deployments',
      'deployments/scale',
      'deployments/status',
      'replicasets',
      'replicasets/scale',
      'replicasets/status',
      'statefulsets',
      'statefulsets/scale',
      'statefulsets/status',
      'daemonsets',
      'daemonsets/status',
      'controllerrevisions',
    ],
    verbs: READ,
  },
  { apiGroups: ['batch'], resources: ['jobs', 'jobs/status', 'cronjobs', 'cronjobs/status'], verbs: READ },
  {
    apiGroups: ['autoscaling'],
    resources: ['horizontalpodautoscalers', 'horizontalpodautoscalers/status'],
    verbs: READ,
  },
  {
    apiGroups: ['networking.k8s.io'],
    resources: ['ingresses', 'ingresses/status', 'networkpolicies'],
    verbs: READ,
  },
  { apiGroups: ['policy'], resources: ['poddisruptionbudgets', 'poddisruptionbudgets/status'], verbs: READ },
  { apiGroups: ['discovery.k8s.io'], resources: ['endpointslices'], verbs: READ },
  { apiGroups: ['events.k8s.io'], resources: ['events'], verbs: READ },
];

/** The workload API groups an editor may change (secrets included: deploying needs them). */
export const EDIT_RULES: Rule[] = [
  {
    apiGroups: ['', 'apps', 'batch', 'networking.k8s.io', 'autoscaling', 'policy'],
    resources: ['*'],
    verbs: WRITE,
  },
];

/** Kubernetes PolicyRule equivalents of the presets: the ClusterRoles in every vCluster are built from these. */
export const PROJECT_PRESET_RULES: Record<ProjectPresetRole, Rule[]> = {
  'hexabase:project-admin': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  'hexabase:project-editor': EDIT_RULES,
  'hexabase:project-viewer': VIEW_RULES,
};
