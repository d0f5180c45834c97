import { count, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import {
  auditLog,
  groupMemberships,
  groups,
  outbox,
  roleAssignments,
  tasks,
  workspaceMembers,
  workspaces,
} from '../../../shared/db/schema';
import { nodePool } from '../../../shared/k8s/nodes';
import { teamOrganization } from '../../../shared/testing/fixtures';
import { bearerCaller, json } from '../../../shared/testing/http';
import { usePlatform } from '../../../shared/testing/platform';
import { workspaceAccess } from '../../../shared/workspaces/access';
import { flattenGroups } from '../../../shared/workspaces/flatten';
import { addWorkspaceMember } from '../../../shared/workspaces/members';
import { createWorkspacesApp } from '../app';

describe('workspaces', () => {
  const platform = usePlatform();
  const call = bearerCaller(() =>
    createWorkspacesApp({ ...platform(), nodes: nodePool(undefined) }, { log: platform().log }),
  );
  const create = async (body: Record<string, unknown> = {}) => {
    const team = await teamOrganization(platform());
    const res = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/workspaces`, {
      name: 'Dev',
      planId: 'standard',
      ...body,
    });
    return { team, res };
  };

  it('creates the workspace with members, default groups, assignments, task, audit row and event (202)', async () => {
    const { team, res } = await create();
    expect(res.status).toBe(202);
    const body = await json(res);
    expect(body).toMatchObject({
      name: 'Dev',
      status: 'PENDING_CREATION',
      taskId: expect.stringMatching(/^task-/),
    });
    const { db } = platform();
    const wsId = body.workspaceId;
    const gs = await db.select().from(groups).where(eq(groups.workspaceId, wsId));
    const byName = Object.fromEntries(gs.map((g) => [g.name, g]));
    expect(Object.keys(byName).sort()).toEqual(['WSAdmins', 'WSUsers', 'WorkspaceMembers']);
    expect(byName.WSAdmins!.parentId).toBe(byName.WorkspaceMembers!.id);
    expect(byName.WSUsers!.parentId).toBe(byName.WorkspaceMembers!.id);
    expect(
      await db.select().from(workspaceMembers).where(eq(workspaceMembers.workspaceId, wsId)),
    ).toHaveLength(1);
    expect(await flattenGroups(db, wsId, team.admin.userId)).toEqual(['WSAdmins', 'WorkspaceMembers']);
    const ras = await db.select().from(roleAssignments).where(eq(roleAssignments.workspaceId, wsId));
    expect(
      ras.map((r) => [byName.WSAdmins!.id === r.groupId ? 'WSAdmins' : 'WSUsers', r.roleName]).sort(),
    ).toEqual([
      ['WSAdmins', 'hexabase:workspace-admin'],
      ['WSUsers', 'hexabase:workspace-viewer'],
    ]);
    const [event] = await db.select().from(outbox).where(eq(outbox.subject, wsId));
    expect(event).toMatchObject({
      type: 'ai.hexabase.workspace.created',
      data: { workspaceId: wsId, taskId: body.taskId },
    });
    const task = await json(await call(team.admin.token, 'GET', `/api/v1/tasks/${body.taskId}`));
    expect(task).toMatchObject({ id: body.taskId, type: 'workspace.create', status: 'pending', progress: 0 });
    const get = await json(
      await call(team.admin.token, 'GET', `/api/v1/organizations/${team.orgId}/workspaces/${wsId}`),
    );
    expect(get).toMatchObject({
      id: wsId,
      status: 'PENDING_CREATION',
      planId: 'standard',
      conditions: [],
      endpoint: null,
    });
  });

  it('leaves nothing behind when creation fails half-way', async () => {
    const { db } = platform();
    const team = await teamOrganization(platform());
    const before = await Promise.all(
      [workspaces, groups, workspaceMembers, groupMemberships, roleAssignments, tasks, outbox, auditLog].map(
        async (t) => (await db.select({ n: count() }).from(t))[0]!.n,
      ),
    );
    // A real database failure at the task insert, after the workspace, members, groups and assignments.
    await db.execute(
      sql`create or replace function hexabase_test_fail() returns trigger language plpgsql as $$ begin raise exception 'injected failure'; end $$`,
    );
    await db.execute(
      sql`create trigger hexabase_test_fail before insert on tasks for each row execute function hexabase_test_fail()`,
    );
    try {
      const res = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/workspaces`, {
        name: 'Doomed',
        planId: 'free',
      });
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('injected');
    } finally {
      await db.execute(sql`drop trigger hexabase_test_fail on tasks`);
    }
    const after = await Promise.all(
      [workspaces, groups, workspaceMembers, groupMemberships, roleAssignments, tasks, outbox, auditLog].map(
        async (t) => (await db.select({ n: count() }).from(t))[0]!.n,
      ),
    );
    expect(after).toEqual(before);
  });

  it('refuses dedicated nodes on a plan without them (422), and on premium when there are no nodes to claim (409)', async () => {
    const dedicated = { dedicatedNodeConfig: { nodeCount: 2, instanceType: 'm6i.large' } };
    const { res } = await create({ planId: 'standard', ...dedicated });
    expect(res.status).toBe(422);
    expect((await json(res)).code).toBe('DEDICATED_NODES_NOT_ALLOWED');
    // No host cluster here, so no free nodes: refused with nothing written (claims that succeed are in
    // shared/provisioner/dedicated.test.ts, against the real host cluster).
    const none = await create({ planId: 'premium-dedicated', ...dedicated });
    expect(none.res.status).toBe(409);
    expect((await json(none.res)).code).toBe('NO_DEDICATED_NODES_AVAILABLE');
    const rows = await platform()
      .db.select()
      .from(workspaces)
      .where(eq(workspaces.organizationId, none.team.orgId));
    expect(rows).toEqual([]);
    const unknownPlan = await create({ planId: 'gold' });
    expect(unknownPlan.res.status).toBe(422);
  });

  it('refuses a second workspace with the same name in the organization (409)', async () => {
    const { team } = await create();
    const again = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/workspaces`, {
      name: 'Dev',
      planId: 'free',
    });
    expect(again.status).toBe(409);
    expect((await json(again)).code).toBe('WORKSPACE_NAME_TAKEN');
  });

  it('changes the plan (202, UPDATING, generation bumped, event) and deletes idempotently (same task)', async () => {
    const { team, res } = await create();
    const { workspaceId } = await json(res);
    const { db } = platform();
    const [before] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    const upd = await call(
      team.admin.token,
      'PUT',
      `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}`,
      { planId: 'free' },
    );
    expect(upd.status).toBe(202);
    const [after] = await db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(after).toMatchObject({ planId: 'free', status: 'UPDATING', generation: before!.generation + 1 });
    const del1 = await json(
      await call(team.admin.token, 'DELETE', `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}`),
    );
    const del2 = await json(
      await call(team.admin.token, 'DELETE', `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}`),
    );
    expect(del1.status).toBe('DELETING');
    expect(del2.taskId).toBe(del1.taskId);
    const late = await call(
      team.admin.token,
      'PUT',
      `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}`,
      { planId: 'standard' },
    );
    expect(late.status).toBe(409);
  });

  it('streams task changes as server-sent events until the task ends', async () => {
    const { team, res } = await create();
    const { taskId } = await json(res);
    const { db } = platform();
    const stream = await call(team.admin.token, 'GET', `/api/v1/tasks/${taskId}`, undefined, {
      accept: 'text/event-stream',
    });
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    setTimeout(
      () =>
        void db.update(tasks).set({ status: 'running', progress: 40 }).where(eq(tasks.id, taskId)).execute(),
      200,
    );
    setTimeout(
      () =>
        void db
          .update(tasks)
          .set({ status: 'succeeded', progress: 100 })
          .where(eq(tasks.id, taskId))
          .execute(),
      1300,
    );
    const text = await stream.text(); // ends on its own when the task ends
    const events = text
      .split('\n\n')
      .filter((e) => e.includes('data:'))
      .map((e) =>
        JSON.parse(
          e
            .split('\n')
            .find((l) => l.startsWith('data:'))!
            .slice(5),
        ),
      );
    expect(events.map((e) => [e.status, e.progress])).toEqual([
      ['pending', 0],
      ['running', 40],
      ['succeeded', 100],
    ]);
  });

  it('lists all workspaces to org admins and only their own to members', async () => {
    const { team } = await create();
    const list = async (token: string) =>
      (await json(await call(token, 'GET', `/api/v1/organizations/${team.orgId}/workspaces`))).items.length;
    expect(await list(team.admin.token)).toBe(1);
    expect(await list(team.member.token)).toBe(0);
  });

  it('pages through the same workspaces as the first page shows: all to admins, their own to members', async () => {
    const team = await teamOrganization(platform());
    const ids: string[] = [];
    for (const name of ['a', 'b', 'c']) {
      const res = await call(team.admin.token, 'POST', `/api/v1/organizations/${team.orgId}/workspaces`, {
        name,
        planId: 'free',
      });
      ids.push((await json(res)).workspaceId);
    }
    for (const wsId of [ids[0]!, ids[2]!]) {
      const ws = (await workspaceAccess(platform().authz, wsId, team.admin.userId))!;
      await addWorkspaceMember(platform(), { userId: team.admin.userId }, { ws, userId: team.member.userId });
    }
    const walk = async (token: string) => {
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const q = `limit=1${cursor ? `&cursor=${cursor}` : ''}`;
        const page = await json(
          await call(token, 'GET', `/api/v1/organizations/${team.orgId}/workspaces?${q}`),
        );
        seen.push(...page.items.map((w: { name: string }) => w.name));
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    expect(await walk(team.admin.token)).toEqual(['c', 'b', 'a']);
    expect(await walk(team.member.token)).toEqual(['c', 'a']);
  });
});
