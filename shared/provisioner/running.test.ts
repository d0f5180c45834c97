import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { projects, workspaces } from '../db/schema';
import { teamOrganization } from '../testing/fixtures';
import { json } from '../testing/http';
import { useProvisioning } from '../testing/provisioning';
import { Requeue, reconcileWorkspace } from './reconcile';
import { reconcileAll } from './tick';

describe('a running workspace while it is reconciled', () => {
  const p = useProvisioning();

  const runningWorkspace = async () => {
    const team = await teamOrganization(p.platform());
    const res = await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces`, {
      method: 'POST',
      body: JSON.stringify({ name: `run-${Date.now()}`, planId: 'standard' }),
    });
    const { workspaceId } = await json(res);
    expect(await p.converge(workspaceId)).toBe('running');
    return { team, workspaceId };
  };
  /** Every status the row is written with from now on, recorded by the database itself. */
  const recordStatuses = async (wsId: string) => {
    const db = p.platform().db;
    await db.execute(sql.raw('create table if not exists status_log (ws text, status text)'));
    await db.execute(
      sql.raw(`create or replace function log_status() returns trigger language plpgsql as $$
        begin insert into status_log values (new.id, new.status); return new; end $$`),
    );
    await db.execute(
      sql.raw(`create or replace trigger ws_status after update on workspaces
        for each row execute function log_status()`),
    );
    return async () => {
      const res = (await db.execute(sql`select status from status_log where ws = ${wsId}`)) as {
        rows: { status: string }[];
      };
      return res.rows.map((r) => r.status);
    };
  };

  it('serves all of 200 kubeconfig downloads and stays RUNNING through group and role changes and a tick', async () => {
    const { team, workspaceId } = await runningWorkspace();
    const statuses = await recordStatuses(workspaceId);
    const reconcile = () =>
      reconcileWorkspace(p.deps(), workspaceId).catch((err) => {
        if (!(err instanceof Requeue)) throw err;
      });
    const download = () =>
      p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces/${workspaceId}/kubeconfig`);

    const changes = (async () => {
      const passes: Promise<unknown>[] = [];
      const project = await json(
        await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/projects`, {
          method: 'POST',
          body: JSON.stringify({ name: 'burst' }),
        }),
      );
      for (let i = 0; i < 8; i++) {
        const group = await json(
          await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/groups`, {
            method: 'POST',
            body: JSON.stringify({ name: `g${i}` }),
          }),
        );
        await p.api(team.admin.token, `/api/v1/projects/${project.id}/roleassignments`, {
          method: 'POST',
          body: JSON.stringify({ groupId: group.id, roleId: 'hexabase:project-viewer' }),
        });
        // What the worker does on each rbac.changed event, overlapping with the next change.
        passes.push(reconcile());
        if (i === 4) passes.push(reconcileAll(p.deps())); // the tick
      }
      await Promise.all(passes);
    })();
    const answers: number[] = [];
    const downloads = (async () => {
      for (let i = 0; i < 200; i += 8)
        answers.push(
          ...(await Promise.all(Array.from({ length: 8 }, () => download()))).map((r) => r.status),
        );
    })();
    await Promise.all([changes, downloads]);

    expect(answers).toHaveLength(200);
    expect(answers.filter((s) => s !== 200)).toEqual([]);
    const seen = await statuses();
    expect(seen.length).toBeGreaterThan(0); // the reconciles did write the row
    expect([...new Set(seen)]).toEqual(['RUNNING']);
  });

  it('marks a project ACTIVE once its namespace exists, and ERROR with the reason when it cannot be created', async () => {
    const { team, workspaceId } = await runningWorkspace();
    // An admission policy inside the vCluster refuses the namespace "blocked", as a real cluster policy would.
    const secret = await p.admin().get<{ data: { config: string } }>({
      kind: 'Secret',
      name: 'vc-vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    const admin = Buffer.from(secret!.data.config, 'base64').toString();
    const policy = [
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicy',
        metadata: { name: 'no-blocked' },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              { apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['namespaces'] },
            ],
          },
          validations: [
            {
              expression: "object.metadata.name != 'blocked'",
              message: 'namespace blocked is reserved by policy',
            },
          ],
        },
      },
      {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'no-blocked' },
        spec: { policyName: 'no-blocked', validationActions: ['Deny'] },
      },
    ];
    for (const doc of policy) {
      const applied = await p.applyWith(admin, stringify(doc));
      expect(applied.code, applied.stderr).toBe(0);
    }
    const create = async (name: string) =>
      json(
        await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/projects`, {
          method: 'POST',
          body: JSON.stringify({ name }),
        }),
      );
    // Admission policies take effect once the API server has loaded them: wait until a dry run is refused.
    for (let i = 0; i < 100; i++) {
      const probe = await p.kubectlWith(admin, 'create', 'namespace', 'blocked', '--dry-run=server');
      if (/reserved by policy/.test(probe.stderr)) break;
      await new Promise((r) => setTimeout(r, 300));
    }
    const blocked = await create('blocked');
    const fine = await create('fine');
    expect([blocked.status, fine.status]).toEqual(['PENDING', 'PENDING']);

    expect(await p.converge(workspaceId)).toBe('running');
    let [row] = await p.platform().db.select().from(projects).where(eq(projects.id, blocked.id));
    expect(row).toMatchObject({
      status: 'ERROR',
      statusMessage: expect.stringMatching(/reserved by policy/),
    });
    const got = await json(
      await p.api(team.admin.token, `/api/v1/workspaces/${workspaceId}/projects/${fine.id}`),
    );
    expect(got).toMatchObject({ status: 'ACTIVE', statusMessage: null });
    const [ws] = await p.platform().db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
    expect(ws!.status).toBe('RUNNING');
    expect(ws!.conditions.find((c) => c.type === 'ProjectsSynced')).toMatchObject({
      status: 'False',
      reason: 'ProjectFailed',
    });
    expect(ws!.conditions.find((c) => c.type === 'Ready')).toMatchObject({
      status: 'False',
      reason: 'ProjectFailed',
    });

    // Lift the policy: the next pass creates the namespace and the project becomes ACTIVE.
    const lifted = await p.kubectlWith(admin, 'delete', 'validatingadmissionpolicybinding', 'no-blocked');
    expect(lifted.code).toBe(0);
    for (let i = 0; i < 100 && row?.status !== 'ACTIVE'; i++) {
      await p.converge(workspaceId);
      [row] = await p
        .platform()
        .db.select()
        .from(projects)
        .where(and(eq(projects.id, blocked.id), eq(projects.workspaceId, workspaceId)));
      if (row?.status !== 'ACTIVE') await new Promise((r) => setTimeout(r, 300));
    }
    expect(row).toMatchObject({ status: 'ACTIVE', statusMessage: null });
  });
});
