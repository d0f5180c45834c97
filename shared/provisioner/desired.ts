import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import type { Db } from '../db';
import { groups, plans, projects, roleAssignments, roles, workspaces } from '../db/schema';
import { type ChartOptions, hostObjects, type WorkspaceSpec } from '../k8s/host-objects';
import {
  clusterRoleBinding,
  customRole,
  type K8sObject,
  limitRange,
  presetClusterRoles,
  projectNamespace,
  resourceQuota,
  roleBinding,
} from '../k8s/vcluster-objects';
import type { ResourceLimits } from '../plans';
import { projectRoleAssignments } from '../workspaces/role-assignments';
import type { PolicyRuleT } from '../workspaces/roles';
import { TerminalError } from './errors';
import { REASON } from './status';

export type DesiredVCluster = {
  /** Cluster-scoped: the preset ClusterRoles and the workspace's ClusterRoleBindings. */
  cluster: K8sObject[];
  /** Per project, so that one project that cannot be created does not hold back the others. */
  projects: { id: string; name: string; objects: K8sObject[] }[];
};

export const allObjects = (d: DesiredVCluster): K8sObject[] => [
  ...d.cluster,
  ...d.projects.flatMap((p) => p.objects),
];

/** Everything as one list (tests and tools that apply it in one go). */
export async function desiredVClusterObjects(db: Db, wsId: string): Promise<K8sObject[]> {
  return allObjects(await desiredVCluster(db, wsId));
}

/**
 * Everything Hexabase wants inside a workspace's vCluster, derived from the database alone (level-triggered:
 * the same rows always give the same objects). A custom role used by an inherited assignment is created in the
 * inheriting namespace too, since a RoleBinding can only refer to a Role of its own namespace.
 */
export async function desiredVCluster(db: Db, wsId: string): Promise<DesiredVCluster> {
  const [ws] = await db.select({ planId: workspaces.planId }).from(workspaces).where(eq(workspaces.id, wsId));
  if (!ws) return { cluster: [], projects: [] };
  const [plan] = await db.select().from(plans).where(eq(plans.id, ws.planId));
  const limits = plan!.resourceLimits as ResourceLimits;
  const out: K8sObject[] = [...presetClusterRoles()];
  const perProject: DesiredVCluster['projects'] = [];
  const cras = await db
    .select({ id: roleAssignments.id, clusterRoleName: roleAssignments.roleName, groupName: groups.name })
    .from(roleAssignments)
    .innerJoin(groups, eq(groups.id, roleAssignments.groupId))
    .where(and(eq(roleAssignments.workspaceId, wsId), eq(roleAssignments.scope, 'workspace')));
  for (const a of cras)
    out.push(clusterRoleBinding({ id: a.id, clusterRoleName: a.clusterRoleName!, groupName: a.groupName }));

  const customById = new Map(
    (await db.select().from(roles).where(eq(roles.workspaceId, wsId))).map((r) => [
      r.id,
      { projectId: r.projectId, name: r.name, rules: r.rules as PolicyRuleT[] },
    ]),
  );
  for (const p of await db.select().from(projects).where(eq(projects.workspaceId, wsId))) {
    const objects: K8sObject[] = [
      projectNamespace(p),
      resourceQuota(p.name, limits),
      limitRange(p.name, limits),
    ];
    const needed = new Set([...customById].filter(([, r]) => r.projectId === p.id).map(([id]) => id));
    for (const a of await projectRoleAssignments(db, p.id)) {
      const custom = customById.get(a.roleId);
      if (custom) needed.add(a.roleId);
      objects.push(
        roleBinding(p.name, {
          id: a.id,
          groupName: a.groupName,
          preset: !custom,
          roleName: custom?.name ?? a.roleId,
        }),
      );
    }
    for (const id of needed) objects.push(customRole(p.name, customById.get(id)!));
    perProject.push({ id: p.id, name: p.name, objects });
  }
  return { cluster: out, projects: perProject };
}

export type DesiredWorkspace = {
  spec: WorkspaceSpec;
  inside: DesiredVCluster;
  /**
   * Hash of the generation and of everything desired, on the host (chart options included, so an operator's
   * change counts) and inside the vCluster (group names, roles and projects, which do not all bump the generation).
   */
  fingerprint: string;
};

/** The whole desired state of one workspace row, from the database and the chart options alone. */
export async function desiredWorkspace(
  db: Db,
  ws: Pick<
    typeof workspaces.$inferSelect,
    'id' | 'organizationId' | 'planId' | 'dedicatedNodeConfig' | 'generation' | 'suspendedAt'
  >,
  chart: ChartOptions,
): Promise<DesiredWorkspace> {
  const [plan] = await db.select().from(plans).where(eq(plans.id, ws.planId));
  if (!plan)
    throw new TerminalError(REASON.planNotFound, `The workspace's plan "${ws.planId}" does not exist.`);
  const spec: WorkspaceSpec = {
    id: ws.id,
    organizationId: ws.organizationId,
    limits: plan.resourceLimits as ResourceLimits,
    dedicatedNodes: (ws.dedicatedNodeConfig as WorkspaceSpec['dedicatedNodes']) ?? null,
    // Billing's mark; the HelmRelease's values follow it, so suspending and resuming change the fingerprint.
    suspended: ws.suspendedAt != null,
  };
  const inside = await desiredVCluster(db, ws.id);
  // Sorted, because rows come back in no guaranteed order: the same state must always hash the same.
  const objects = [...hostObjects(spec, chart), ...allObjects(inside)].map((o) => JSON.stringify(o)).sort();
  const fingerprint = createHash('sha256')
    .update(JSON.stringify({ generation: ws.generation, objects }))
    .digest('base64url');
  return { spec, inside, fingerprint };
}
