import { and, eq } from 'drizzle-orm';
import fc from 'fast-check';
import { encodeCursor } from '../../db/pagination';
import { groups } from '../../db/schema';
import type { Platform } from '../../platform';
import { workspaceAccess } from '../../workspaces/access';
import { addGroupMember } from '../../workspaces/groups';
import { addWorkspaceMember } from '../../workspaces/members';
import { matrixFixture, signedInUser } from '../fixtures';
import { CALLER_TOKEN } from './headers';
import type { Caller } from './requests';
import type { Slot } from './schema';

const EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const RULES = [{ apiGroups: [''], resources: ['pods'], verbs: ['get'] }];

/**
 * The authorization matrix's fixture, with its org admin back in the workspace as a workspace admin: one owner
 * who may do everything, so the fuzzer's valid values reach the deepest code of every route.
 */
export async function fuzzFixture(p: Platform) {
  const f = await matrixFixture(p);
  const ws = (await workspaceAccess(p.authz, f.wsId, f.wsAdmin.userId))!;
  await addWorkspaceMember(p, { userId: f.wsAdmin.userId }, { ws, userId: f.admin.userId });
  const [admins] = await p.db
    .select()
    .from(groups)
    .where(and(eq(groups.workspaceId, f.wsId), eq(groups.name, 'WSAdmins')));
  await addGroupMember(p, { userId: f.wsAdmin.userId }, { ws, groupId: admins!.id, userId: f.admin.userId });

  /** Fresh sessions for the same people: one operation's logout must not sign the owner out of the next. */
  async function callers(): Promise<Record<Caller, string | undefined>> {
    const [stranger, owner] = await Promise.all([
      signedInUser(p, { email: f.outsider.email }),
      signedInUser(p, { email: f.admin.email }),
    ]);
    return { anonymous: undefined, stranger: stranger.token, owner: owner.token };
  }

  const ids = {
    orgId: f.orgId,
    wsId: f.wsId,
    invitationId: f.invitation.id,
    id: f.patId,
    taskId: f.taskId,
    groupId: f.groupId,
    projectId: f.projectId,
    roleId: f.roleId,
  };
  const foreignIds = [
    ...Object.values(ids),
    f.admin.userId,
    f.roleAssignmentId,
    f.clusterRoleAssignmentId,
    'usr-aaaaaaaaaaaaaaaaaaaa',
    'ws-',
    'WS-AAAAAAAAAAAAAAAAAAAA',
  ];

  /** Real values for the slots of one route (its path template tells which user or assignment is meant). */
  function valid(template: string) {
    const orgRoute = template.startsWith('/api/v1/organizations/{orgId}/users');
    const later = new Date(Date.now() + 86_400_000).toISOString();
    const byName: Record<string, fc.Arbitrary<unknown>> = {
      ...Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, fc.constant(v)])),
      userId: fc.constant(orgRoute ? f.member.userId : f.wsUser.userId),
      assignmentId: fc.constant(
        template.includes('clusterroleassignments') ? f.clusterRoleAssignmentId : f.roleAssignmentId,
      ),
      provider: fc.constantFrom('github', 'dev', 'nope'),
      limit: fc.integer({ min: 1, max: 200 }),
      cursor: fc.constant(
        template === '/api/v1/plans'
          ? encodeCursor([0, 'free'])
          : encodeCursor(['2020-01-01T00:00:00.000Z', 'aaaaaaaaaaaaaaaaaaaaaaa']),
      ),
      actor: fc.constant(f.admin.userId),
      action: fc.constantFrom('member.role_changed', 'organization.created'),
      since: fc.constant('2020-01-01T00:00:00Z'),
      until: fc.constant(later),
      returnTo: fc.constant('/'),
      redirectUri: fc.constant('http://127.0.0.1:9/cb'),
      state: fc.constant('fuzz-state-0123456789'),
      codeChallenge: fc.constant('c'.repeat(43)),
      codeVerifier: fc.constant('v'.repeat(43)),
      code: fc.constant('never-issued'),
      token: fc.constant(f.inviteToken),
      refreshToken: fc.constant('not-a-refresh-token'),
      csrfToken: fc.constant('not-a-csrf-token'),
      email: fc.constantFrom('fuzz@example.com', f.member.email),
      planId: fc.constantFrom('free', 'standard', 'premium-dedicated'),
      rules: fc.constant(RULES),
      expiresAt: fc.constant(later),
      grant_type: fc.constant(EXCHANGE),
      subject_token: fc.constant(CALLER_TOKEN),
      subject_token_type: fc.constant(ACCESS_TOKEN),
    };
    const inBody: Record<string, fc.Arbitrary<unknown>> = {
      userId: fc.constant(template.includes('/groups/') ? f.wsAdmin.userId : f.member.userId),
      roleId: fc.constantFrom(f.roleId, 'hexabase:project-viewer'),
      parentId: fc.constantFrom(template.includes('/projects') ? f.projectId : f.groupId, null),
    };
    return (slot: Slot) =>
      slot.where === 'body' ? (inBody[slot.name] ?? byName[slot.name]) : byName[slot.name];
  }

  return { f, callers, valid, foreignIds };
}
