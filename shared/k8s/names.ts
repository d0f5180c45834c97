/** Kubernetes names and labels Hexabase owns (CONTRACT, "Kubernetes objects Hexabase owns"). */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'hexabase' } as const;
export const LABEL = {
  workspace: 'hexabase.ai/workspace-id',
  organization: 'hexabase.ai/organization-id',
  project: 'hexabase.ai/project-id',
} as const;

export const hostNamespace = (wsId: string) => `hxb-${wsId}`;
export const RELEASE = 'vcluster';
export const KUBECONFIG_SECRET = `vc-${RELEASE}`;
export const AUTHN_CONFIGMAP = 'hexabase-authentication';
export const AUTHN_MOUNT = '/etc/hexabase/authentication';
export const QUOTA = 'hexabase-quota';
export const LIMITS = 'hexabase-limits';

/** OIDC usernames and groups arrive with this prefix (CONTRACT: `hexabase:usr-…`, `hexabase:WSAdmins`). */
export const OIDC_PREFIX = 'hexabase:';
export const groupSubject = (groupName: string) => `${OIDC_PREFIX}${groupName}`;
