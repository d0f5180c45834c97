/** Kubernetes names and labels Hexabase owns (CONTRACT, "Kubernetes objects Hexabase owns"). */
export const MANAGED_BY = { 'app.kubernetes.io/managed-by': 'hexabase' } as const;
export const LABEL = {
  workspace: 'hexabase.ai/workspace-id',
  organization: 'hexabase.ai/organization-id',
  project: 'hexabase.ai/project-id',
} as const;

export const hostNamespace = (wsId: string) => `hxb-${wsId}`;
export const RELEASE = 'vcluster';
/** The Flux HelmRepository every workspace's HelmRelease takes the vcluster chart from (installed with the platform). */
export const VCLUSTER_CHART_REPOSITORY = {
  name: 'loft',
  namespace: 'flux-system',
  url: 'https://charts.loft.sh',
} as const;
export const KUBECONFIG_SECRET = `vc-${RELEASE}`;
export const AUTHN_CONFIGMAP = 'hexabase-authentication';
export const AUTHN_MOUNT = '/etc/hexabase/authentication';
export const QUOTA = 'hexabase-quota';
export const LIMITS = 'hexabase-limits';

/** OIDC usernames and groups arrive with this prefix (CONTRACT: `hexabase:usr-…`, `hexabase:WSAdmins`). */
export const OIDC_PREFIX = 'hexabase:';
export const groupSubject = (groupName: string) => `${OIDC_PREFIX}${groupName}`;

/** Dedicated nodes (CONTRACT, Dedicated nodes): the pool label, the claim label and the taint. */
export const NODE_POOL = { label: 'hexabase.ai/node-pool', value: 'dedicated' } as const;
export const NODE_WORKSPACE_LABEL = 'hexabase.ai/workspace';
export const DEDICATED_TAINT = 'hexabase.ai/dedicated';
/** When a node was claimed: a claim with no workspace row older than a grace period is an orphan. */
export const NODE_CLAIMED_AT = 'hexabase.ai/claimed-at';

/** Labels vCluster's chart puts on its control-plane pods and Service selector. */
export const VCLUSTER_POD_LABELS = { app: 'vcluster', release: RELEASE } as const;
/** The API server port inside the vCluster pod (the chart's Service maps 443 to it). */
export const VCLUSTER_API_PORT = 8443;
