import { randomBytes } from 'node:crypto';
import { createServer, type Socket } from 'node:net';
import { CloudEvent } from 'cloudevents';
import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { outbox, tasks, workspaces } from '../../shared/db/schema';
import { EVENTS } from '../../shared/events/catalog';
import { createDispatcher, deliverOnce, type Trigger } from '../../shared/events/dispatcher';
import { enqueue } from '../../shared/events/outbox';
import { createRelay } from '../../shared/events/relay';
import { triggerTable } from '../../shared/events/triggers';
import { clusterFromKubeconfig } from '../../shared/k8s/apply';
import { type Kube, kube } from '../../shared/k8s/rest';
import { Requeue, reconcileWorkspace } from '../../shared/provisioner/reconcile';
import { teamOrganization } from '../../shared/testing/fixtures';
import { waitFor } from '../../shared/testing/kube/supervisor';
import { kubeEnvironment } from '../../shared/testing/kube/worker';
import { usePlatform } from '../../shared/testing/platform';
import { hostAdmin, hostProvisionerDeps } from '../../shared/testing/provisioning';
import { workspaceAccess } from '../../shared/workspaces/access';
import { createProject } from '../../shared/workspaces/projects';
import { createWorkspace, requestWorkspaceDeletion } from '../../shared/workspaces/workspaces';
import { createProvisionerApp } from './app';

const REQUESTED = EVENTS.workspaceReconcileRequested.type;

const kubeEnv = kubeEnvironment();

describe('the provisioner worker behind the dispatcher', () => {
  const platform = usePlatform();
  /** The worker as the chart's ServiceAccount (its token alone), unless a test gives it another host identity. */
  const deps = (host?: Kube) => hostProvisionerDeps(platform(), host);
  const row = async (wsId: string) =>
    (await platform().db.select().from(workspaces).where(eq(workspaces.id, wsId)))[0]!;
  /** What the dispatcher does with Requeue, for workspaces a test needs RUNNING before it starts. */
  const converge = async (wsId: string, d = deps()) => {
    for (;;) {
      try {
        return await reconcileWorkspace(d, wsId);
      } catch (err) {
        if (!(err instanceof Requeue)) throw err;
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  };
  const workspace = async () => {
    const team = await teamOrganization(platform());
    const actor = { userId: team.admin.userId };
    const { workspaceId, taskId } = await createWorkspace(platform(), actor, {
      orgId: team.orgId,
      name: `a-${randomBytes(3).toString('hex')}`,
      planId: 'free',
    });
    return { team, actor, workspaceId, taskId };
  };
  const runningWorkspace = async () => {
    const w = await workspace();
    expect(await converge(w.workspaceId)).toBe('running');
    return w;
  };
  /** Events earlier steps already acted on (converge above), so a test's relay delivers only its own. */
  const forgetPendingEvents = () =>
    createRelay({ database: platform().database, publish: async () => {}, log: platform().log }).drain();

  /** The worker as the trigger table routes to it, delivered by the in-process dispatcher; its answers recorded. */
  const worker = (host: Kube | undefined, resyncSeconds: number) => {
    const app = createProvisionerApp({ ...deps(host), resyncSeconds }, { log: platform().log });
    const answers: { type: string; workspaceId: string | undefined; status: number }[] = [];
    const trigger: Trigger = {
      ...triggerTable.find((t) => t.name === 'provisioner')!,
      deliver: async (req) => {
        const data = JSON.parse((await req.clone().text()) || 'null') as { workspaceId?: string } | null;
        const res = await app.fetch(req);
        answers.push({
          type: req.headers.get('ce-type')!,
          workspaceId: data?.workspaceId,
          status: res.status,
        });
        return res;
      },
    };
    const counts = { delivered: 0, retried: 0, deadLettered: 0 };
    const dispatcher = createDispatcher({
      db: platform().db,
      log: platform().log,
      triggers: [trigger],
      metrics: {
        delivered: () => counts.delivered++,
        retried: () => counts.retried++,
        deadLettered: () => counts.deadLettered++,
      },
    });
    const relay = createRelay({
      database: platform().database,
      publish: dispatcher.publish,
      log: platform().log,
    });
    return {
      answers,
      counts,
      relay,
      answered: (type: string, wsId: string | undefined, ok = (_s: number) => true) =>
        waitFor(
          `${type} for ${wsId} answered`,
          async () => answers.find((a) => a.type === type && a.workspaceId === wsId && ok(a.status)),
          { timeoutMs: 90_000 },
        ),
      /** One delivery as the dispatcher makes it: 'ack' (2xx) is never retried. */
      send: async (type: string, wsId: string) =>
        (
          await deliverOnce(
            trigger,
            new CloudEvent({ type, source: '/hexabase/test', subject: wsId, data: { workspaceId: wsId } }),
            90_000,
          )
        ).kind,
      stop: async () => {
        await relay.stop();
        await dispatcher.stop();
      },
    };
  };

  it('answers a terminal failure with 2xx so it is not retried, leaving ERROR with the reason until the workspace changes', async () => {
    await forgetPendingEvents();
    // A real host identity with no rights at all: every request is Forbidden, which no retry can change.
    const user = await kubeEnv.hostUser(`nobody-${randomBytes(3).toString('hex')}`);
    const nobody = kube({
      server: kubeEnv.hostUrl,
      ca: kubeEnv.hostCaPem,
      cert: user.certPem,
      key: user.keyPem,
    });
    const w = worker(nobody, 600);
    const { workspaceId, taskId, team, actor } = await workspace();
    await w.relay.drain(); // delivers its ai.hexabase.workspace.created
    await waitFor('acknowledged', async () => (w.counts.delivered === 1 ? true : undefined), {
      timeoutMs: 90_000,
    });
    // Acknowledged (2xx) means delivered for good: the dispatcher schedules no further attempt.
    expect(w.answers).toEqual([{ type: EVENTS.workspaceCreated.type, workspaceId, status: 200 }]);
    expect(w.counts).toEqual({ delivered: 1, retried: 0, deadLettered: 0 });
    const ws = await row(workspaceId);
    expect(ws.status).toBe('ERROR');
    expect(ws.statusMessage).toMatch(/host cluster refused a request \(Forbidden\)/);
    expect(ws.conditions.find((c) => c.type === 'HostNamespaceReady')).toMatchObject({
      status: 'False',
      reason: 'HostAPIRejected',
    });
    const [task] = await platform().db.select().from(tasks).where(eq(tasks.id, taskId));
    expect(task!.status).toBe('failed');

    // The tick's request finds nothing changed since the verdict and leaves the row alone.
    expect(await w.send(REQUESTED, workspaceId)).toBe('ack');
    expect((await row(workspaceId)).updatedAt).toEqual(ws.updatedAt);
    // A change (a new project: a generation bump and its event) gets a full pass again.
    const access = (await workspaceAccess(platform().authz, workspaceId, actor.userId))!;
    await createProject(platform(), actor, { ws: access, name: 'again' });
    await w.relay.drain();
    await w.answered(EVENTS.projectCreated.type, workspaceId);
    const again = await row(workspaceId);
    expect(again.updatedAt.getTime()).toBeGreaterThan(ws.updatedAt.getTime());
    expect(again.status).toBe('ERROR');
    await w.stop();

    await requestWorkspaceDeletion(platform(), actor, { orgId: team.orgId, wsId: workspaceId });
    expect(await converge(workspaceId)).toBe('gone');
  });

  it('answers an unknown failure with 5xx so the dispatcher retries it', async () => {
    const { workspaceId, team, actor } = await workspace();
    const w = worker(kube({ server: 'https://127.0.0.1:1', ca: kubeEnv.hostCaPem }), 600);
    expect(await w.send(EVENTS.rbacChanged.type, workspaceId)).toBe('retry');
    expect((await row(workspaceId)).status).not.toBe('ERROR');
    await w.stop();
    await requestWorkspaceDeletion(platform(), actor, { orgId: team.orgId, wsId: workspaceId });
    expect(await converge(workspaceId)).toBe('gone');
  });

  it('fans the tick out into one request per workspace, and a workspace whose API server hangs holds up no other', async () => {
    const a = await runningWorkspace();
    const b = await runningWorkspace();
    await forgetPendingEvents();
    // The test breaks A behind Hexabase's back as the host's admin; the worker runs as the chart's ServiceAccount.
    const admin = hostAdmin();
    // A's vCluster API server accepts connections and never answers: A's pass hangs on its first request inside.
    const hung = new Set<Socket>();
    const server = createServer((s) => void hung.add(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const secretRef = { kind: 'Secret', name: 'vc-vcluster', namespace: `hxb-${a.workspaceId}` };
    const secret = (await admin.get<{ data: { config: string } }>(secretRef))!;
    const original = Buffer.from(secret.data.config, 'base64').toString();
    const hanging = original.replace(
      /server: .*/,
      `server: https://127.0.0.1:${(server.address() as { port: number }).port}`,
    );
    await admin.patch(secretRef, { data: { config: Buffer.from(hanging).toString('base64') } });

    const w = worker(deps().host, 0); // no skipping: both get their full pass
    const tickAt = new Date();
    await enqueue(platform().db, {
      type: EVENTS.reconcileTick.type,
      source: 'scheduler',
      subject: 'reconcile',
      data: { at: tickAt.toISOString() },
    });
    await w.relay.start();
    await w.answered(EVENTS.reconcileTick.type, undefined);
    const ids = (await platform().db.select({ id: workspaces.id }).from(workspaces)).map((r) => r.id);
    const requested = await platform()
      .db.select({ subject: outbox.subject, data: outbox.data })
      .from(outbox)
      .where(eq(outbox.type, REQUESTED));
    expect(requested.map((r) => r.subject).sort()).toEqual(ids.sort());
    expect(requested.every((r) => (r.data as { workspaceId: string }).workspaceId === r.subject)).toBe(true);

    await waitFor('A inside its hung API server', async () => (hung.size > 0 ? true : undefined), {
      timeoutMs: 60_000,
    });
    expect((await w.answered(REQUESTED, b.workspaceId)).status).toBe(200);
    expect((await row(b.workspaceId)).reconciledAt!.getTime()).toBeGreaterThanOrEqual(tickAt.getTime());
    // B finished while A's delivery is still waiting on its API server.
    expect(w.answers.find((x) => x.workspaceId === a.workspaceId)).toBeUndefined();

    await admin.patch(secretRef, { data: { config: Buffer.from(original).toString('base64') } });
    for (const s of hung) s.destroy();
    server.close();
    // A's hung pass fails (5xx), the dispatcher retries it, and the retry gets through.
    await w.answered(REQUESTED, a.workspaceId, (s) => s === 200);
    expect((await row(a.workspaceId)).status).toBe('RUNNING');
    await w.stop();
  });

  it('skips a settled, unchanged workspace on the tick without one host API request, until a change or the resync period', async () => {
    const { workspaceId } = await runningWorkspace();
    const real = deps().host!; // the chart's ServiceAccount, each of its calls counted
    let calls = 0;
    const counted = <F extends (...a: never[]) => unknown>(f: F) =>
      ((...a: never[]) => {
        calls++;
        return f(...a);
      }) as F;
    const host: Kube = {
      apply: counted(real.apply),
      get: counted(real.get),
      list: counted(real.list),
      delete: counted(real.delete),
      patch: counted(real.patch),
    };
    const w = worker(host, 600);
    const settled = await row(workspaceId);
    expect(settled.reconciledHash).toBeTruthy();

    expect(await w.send(REQUESTED, workspaceId)).toBe('ack');
    expect(calls).toBe(0);
    expect(await row(workspaceId)).toMatchObject({
      updatedAt: settled.updatedAt,
      reconciledAt: settled.reconciledAt,
    });

    // Drift made inside the vCluster behind Hexabase's back is not seen while the verdict stands…
    const secret = await hostAdmin().get<{ data: { config: string } }>({
      kind: 'Secret',
      name: 'vc-vcluster',
      namespace: `hxb-${workspaceId}`,
    });
    const inside = clusterFromKubeconfig(Buffer.from(secret!.data.config, 'base64').toString());
    await inside.delete({ kind: 'ClusterRole', name: 'hexabase:workspace-viewer' });
    expect(await w.send(REQUESTED, workspaceId)).toBe('ack');
    expect(calls).toBe(0);
    // …and is repaired by the first tick after the resync period.
    await platform()
      .db.update(workspaces)
      .set({ reconciledAt: new Date(Date.now() - 601_000) })
      .where(eq(workspaces.id, workspaceId));
    expect(await w.send(REQUESTED, workspaceId)).toBe('ack');
    expect(calls).toBeGreaterThan(0);
    expect(await inside.get({ kind: 'ClusterRole', name: 'hexabase:workspace-viewer' })).toBeDefined();
    const resynced = await row(workspaceId);
    expect(resynced.reconciledAt!.getTime()).toBeGreaterThan(Date.now() - 60_000);

    // An event that names a change always gets the full pass, even when there is nothing to change.
    calls = 0;
    expect(await w.send(EVENTS.rbacChanged.type, workspaceId)).toBe('ack');
    expect(calls).toBeGreaterThan(0);
    const [after] = await platform()
      .db.select()
      .from(workspaces)
      .where(and(eq(workspaces.id, workspaceId), eq(workspaces.status, 'RUNNING')));
    expect(after!.reconciledAt!.getTime()).toBeGreaterThan(resynced.reconciledAt!.getTime());
    await w.stop();
  });
});
