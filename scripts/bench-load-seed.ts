import type { Db } from '../shared/db';
import { organizationMembers } from '../shared/db/schema';

/**
 * The load benchmark's data, made through the public API of the running platform (so it is what users would
 * have made) except organization membership, which the API only grants through emailed invitations.
 *
 * Each user signs in (a personal organization), creates a team organization with workspaces, groups and
 * projects, and joins the team organizations of the next users as a plain member: a member of one of their
 * workspaces and of a group in it. Requests are then spread over everything a user may see.
 */
export type SeedShape = {
  users: number;
  workspacesPerOrg: number;
  projectsPerWorkspace: number;
  memberOf: number;
};

export type Request = {
  method: 'GET' | 'POST';
  path: string;
  headers: Record<string, string>;
  body?: string;
};
export type SeededUser = { id: string; token: string; requests: Request[] };
export type Seeded = {
  users: SeededUser[];
  counts: Record<'users' | 'organizations' | 'workspaces' | 'groups' | 'projects' | 'memberships', number>;
};

type Api = <T>(token: string | null, method: string, path: string, body?: unknown) => Promise<T>;

function client(base: string): Api {
  return async <T>(token: string | null, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'content-type': 'application/json' } : {}),
      },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`seeding: ${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : undefined) as T;
  };
}

const EXCHANGE = new URLSearchParams({
  grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
  subject_token_type: 'urn:ietf:params:oauth:token-type:access_token',
});

/** The mixed workload of one user: every kind of request once, over that user's orgs and workspaces. */
function workload(
  token: string,
  own: { orgId: string; wsIds: string[] },
  joined: { orgId: string; wsId: string }[],
): Request[] {
  const auth = { authorization: `Bearer ${token}` };
  const get = (path: string): Request => ({ method: 'GET', path, headers: auth });
  const exchange = (wsId: string): Request => {
    const body = new URLSearchParams(EXCHANGE);
    body.set('subject_token', token);
    return {
      method: 'POST',
      path: `/oidc/${wsId}/token`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    };
  };
  // Workspaces this user belongs to: all of their own, one in each organization they joined.
  const member = [...own.wsIds.map((wsId) => ({ orgId: own.orgId, wsId })), ...joined];
  const out: Request[] = [];
  for (const [i, { orgId, wsId }] of member.entries()) {
    out.push(
      get('/auth/me'),
      get('/api/v1/organizations'),
      get(`/api/v1/organizations/${orgId}/workspaces`),
      get(`/api/v1/organizations/${orgId}/workspaces/${wsId}`),
      get(`/api/v1/workspaces/${wsId}/projects`),
      exchange(member[(i + 1) % member.length]!.wsId),
    );
  }
  return out;
}

export async function seed(base: string, db: Db, shape: SeedShape): Promise<Seeded> {
  const api = client(base);
  const counts = { users: 0, organizations: 0, workspaces: 0, groups: 0, projects: 0, memberships: 0 };
  const people: { id: string; token: string; orgId: string; wsIds: string[] }[] = [];
  for (let u = 0; u < shape.users; u++) {
    const login = await api<{ accessToken: string; user: { id: string } }>(null, 'POST', '/auth/login/dev', {
      email: `load-${u}@example.com`,
      name: `Load User ${u}`,
    });
    const token = login.accessToken;
    const org = await api<{ id: string }>(token, 'POST', '/api/v1/organizations', { name: `Team ${u}` });
    counts.users++;
    counts.organizations += 2; // the personal one from the first sign-in, and the team
    const wsIds: string[] = [];
    for (let w = 0; w < shape.workspacesPerOrg; w++) {
      const ws = await api<{ workspaceId: string }>(
        token,
        'POST',
        `/api/v1/organizations/${org.id}/workspaces`,
        {
          name: `team-${u}-ws-${w}`,
          planId: 'standard',
        },
      );
      wsIds.push(ws.workspaceId);
      // A small tree under the default groups: platform → backend, frontend; oncall.
      const tree = await api<{ id: string }>(token, 'POST', `/api/v1/workspaces/${ws.workspaceId}/groups`, {
        name: 'platform',
      });
      for (const name of ['backend', 'frontend'])
        await api(token, 'POST', `/api/v1/workspaces/${ws.workspaceId}/groups`, { name, parentId: tree.id });
      await api(token, 'POST', `/api/v1/workspaces/${ws.workspaceId}/groups`, { name: 'oncall' });
      counts.groups += 3 + 4; // the three default groups and four more
      for (let p = 0; p < shape.projectsPerWorkspace; p++)
        await api(token, 'POST', `/api/v1/workspaces/${ws.workspaceId}/projects`, { name: `svc-${p}` });
      counts.projects += shape.projectsPerWorkspace;
    }
    counts.workspaces += wsIds.length;
    people.push({ id: login.user.id, token, orgId: org.id, wsIds });
  }
  const joined = new Map<string, { orgId: string; wsId: string }[]>();
  for (const [i, person] of people.entries()) {
    for (let k = 1; k <= Math.min(shape.memberOf, people.length - 1); k++) {
      const owner = people[(i + k) % people.length]!;
      const wsId = owner.wsIds[i % owner.wsIds.length]!;
      await db
        .insert(organizationMembers)
        .values({ organizationId: owner.orgId, userId: person.id, role: 'member' });
      await api(owner.token, 'POST', `/api/v1/workspaces/${wsId}/members`, { userId: person.id });
      const groups = await api<{ items: Node[] }>(owner.token, 'GET', `/api/v1/workspaces/${wsId}/groups`);
      const oncall = flatten(groups.items).find((g) => g.name === 'oncall')!;
      await api(owner.token, 'POST', `/api/v1/workspaces/${wsId}/groups/${oncall.id}/members`, {
        userId: person.id,
      });
      joined.set(person.id, [...(joined.get(person.id) ?? []), { orgId: owner.orgId, wsId }]);
      counts.memberships++;
    }
  }
  const users = people.map((p) => ({
    id: p.id,
    token: p.token,
    requests: workload(p.token, p, joined.get(p.id) ?? []),
  }));
  return { users, counts };
}

type Node = { id: string; name: string; children?: Node[] };
function flatten(nodes: Node[]): Node[] {
  return nodes.flatMap((n) => [n, ...flatten(n.children ?? [])]);
}
