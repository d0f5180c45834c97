import { randomBytes } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { createPat } from '../auth/pats';
import { signIn } from '../auth/sign-in';
import { groups } from '../db/schema';
import { createInvitation, respondToInvitation } from '../orgs/invitations';
import { createOrganization } from '../orgs/organizations';
import type { Platform } from '../platform';
import { workspaceAccess } from '../workspaces/access';
import { assignClusterRole } from '../workspaces/cluster-roles';
import { addGroupMember, createGroup } from '../workspaces/groups';
import { addWorkspaceMember, removeWorkspaceMember } from '../workspaces/members';
import { createProject } from '../workspaces/projects';
import { assignRole } from '../workspaces/role-assignments';
import { createRole } from '../workspaces/roles';
import { createWorkspace } from '../workspaces/workspaces';

export type TestUser = { userId: string; email: string; token: string };

const uniq = () => randomBytes(4).toString('hex');

/** A signed-in person, created through the real sign-in verb (as a provider would vouch for them). */
export async function signedInUser(
  p: Platform,
  opts: { email?: string; verified?: boolean } = {},
): Promise<TestUser> {
  const email = opts.email ?? `user-${uniq()}@example.com`;
  const r = await signIn(
    p.auth.auth,
    {},
    {
      provider: 'fixture',
      subject: `${email}-${uniq()}`,
      email,
      emailVerified: opts.verified ?? true,
      name: null,
    },
  );
  return { userId: r.user.id, email, token: r.tokens.accessToken };
}

/** An organization with an admin and a member (who joined by invitation), as a real team is set up. */
export async function teamOrganization(p: Platform) {
  const admin = await signedInUser(p);
  const member = await signedInUser(p);
  const org = await createOrganization(p.orgs, { userId: admin.userId }, { name: `Team ${uniq()}` });
  const inv = await createInvitation(
    p.orgs,
    { userId: admin.userId },
    {
      orgId: org.id,
      email: member.email,
      role: 'member',
    },
  );
  await respondToInvitation(p.orgs, { userId: member.userId }, { id: inv.id, answer: 'accept' });
  return { orgId: org.id, admin, member };
}

/** An organization member who joined a workspace (and, for a workspace admin, the WSAdmins group). */
async function joinWorkspace(p: Platform, orgAdmin: TestUser, orgId: string, wsId: string, asAdmin: boolean) {
  const user = await signedInUser(p);
  const inv = await createInvitation(
    p.orgs,
    { userId: orgAdmin.userId },
    {
      orgId,
      email: user.email,
      role: 'member',
    },
  );
  await respondToInvitation(p.orgs, { userId: user.userId }, { id: inv.id, answer: 'accept' });
  const ws = (await workspaceAccess(p.authz, wsId, orgAdmin.userId))!;
  await addWorkspaceMember(p, { userId: orgAdmin.userId }, { ws, userId: user.userId });
  if (asAdmin) {
    const [admins] = await p.db
      .select()
      .from(groups)
      .where(and(eq(groups.workspaceId, wsId), eq(groups.name, 'WSAdmins')));
    await addGroupMember(p, { userId: orgAdmin.userId }, { ws, groupId: admins!.id, userId: user.userId });
  }
  return user;
}

/**
 * Everything the authorization matrix needs: a team, an outsider, an open invitation, the admin's PAT, and a
 * workspace with a plain user, a workspace admin, a group, a project with a custom role and assignments. The org
 * admin created the workspace and then left it, so they are an org admin without workspace rights.
 */
export async function matrixFixture(p: Platform) {
  const team = await teamOrganization(p);
  const outsider = await signedInUser(p);
  const invitation = await createInvitation(
    p.orgs,
    { userId: team.admin.userId },
    {
      orgId: team.orgId,
      email: `invitee-${uniq()}@example.com`,
      role: 'member',
    },
  );
  const pat = await createPat(p.auth.auth, { userId: team.admin.userId }, { name: 'fixture' });
  const created = await createWorkspace(
    p,
    { userId: team.admin.userId },
    {
      orgId: team.orgId,
      name: `ws-${uniq()}`,
      planId: 'standard',
    },
  );
  const wsId = created.workspaceId;
  const wsUser = await joinWorkspace(p, team.admin, team.orgId, wsId, false);
  const wsAdmin = await joinWorkspace(p, team.admin, team.orgId, wsId, true);
  const ws = (await workspaceAccess(p.authz, wsId, wsAdmin.userId))!;
  const actor = { userId: wsAdmin.userId };
  const group = await createGroup(p, actor, { ws, name: 'devs' });
  await addGroupMember(p, actor, { ws, groupId: group.id, userId: wsUser.userId });
  const cra = await assignClusterRole(p, actor, {
    ws,
    groupId: group.id,
    clusterRoleName: 'hexabase:workspace-viewer',
  });
  const project = await createProject(p, actor, { ws, name: 'api' });
  const role = await createRole(p, actor, {
    ws,
    projectId: project.id,
    name: 'reader',
    rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }],
  });
  const ra = await assignRole(p, actor, { ws, projectId: project.id, groupId: group.id, roleId: role.id });
  await removeWorkspaceMember(p, { userId: team.admin.userId }, { ws, userId: team.admin.userId });
  return {
    ...team,
    outsider,
    invitation,
    patId: pat.id,
    inviteToken: new URL(invitation.acceptUrl).searchParams.get('token')!,
    wsId,
    taskId: created.taskId,
    wsUser,
    wsAdmin,
    groupId: group.id,
    clusterRoleAssignmentId: cra.id,
    projectId: project.id,
    roleId: role.id,
    roleAssignmentId: ra.id,
  };
}
