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

/** Kubernetes PolicyRule equivalents of the presets, for listing (the provisioner creates the ClusterRoles). */
export const PROJECT_PRESET_RULES: Record<
  ProjectPresetRole,
  { apiGroups: string[]; resources: string[]; verbs: string[] }[]
> = {
  'hexabase:project-admin': [{ apiGroups: ['*'], resources: ['*'], verbs: ['*'] }],
  'hexabase:project-editor': [
    {
      apiGroups: ['', 'apps', 'batch', 'networking.k8s.io', 'autoscaling', 'policy'],
      resources: ['*'],
      verbs: ['get', 'list', 'watch', 'create', 'update', 'patch', 'delete'],
    },
  ],
  'hexabase:project-viewer': [
    {
      apiGroups: ['', 'apps', 'batch', 'networking.k8s.io', 'autoscaling', 'policy'],
      resources: ['*'],
      verbs: ['get', 'list', 'watch'],
    },
  ],
};
