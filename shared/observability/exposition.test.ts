import { randomBytes } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { workspaces } from '../db/schema';
import { type Backbone, startEventBackbone } from '../events/backbone';
import { EVENTS } from '../events/catalog';
import { deliverOnce } from '../events/dispatcher';
import { triggerTable } from '../events/triggers';
import { metricsFetch, processRegistry } from '../http/metrics';
import { type Family, parseExposition } from '../testing/exposition';
import { teamOrganization } from '../testing/fixtures';
import { waitFor } from '../testing/kube/supervisor';
import { kubeEnvironment } from '../testing/kube/worker';
import { usePlatform } from '../testing/platform';
import { workspaceAccess } from '../workspaces/access';
import { createProject } from '../workspaces/projects';
import { createWorkspace } from '../workspaces/workspaces';

/** The label names each family may carry: bounded by the platform's own objects (README: Invariants). */
const LABELS: [RegExp, string[]][] = [
  [/^http_request/, ['function', 'method', 'route', 'status', 'le']],
  [/^hexabase_events_published/, []],
  [/^hexabase_events_/, ['consumer']],
  [/^hexabase_(outbox_lag|dead_letters_open|workspace_provisioning_oldest)/, []],
  [/^hexabase_workspaces$/, ['status']],
  [/^hexabase_(reconcile|workspace_provisioning)_duration/, ['outcome', 'le']],
  [/^hexabase_workspace_quota_/, ['workspace_id', 'resource']],
  [/^hexabase_workspace_usage_stale$/, ['workspace_id']],
  // prom-client's process metrics: versions, heap spaces, GC kinds, resource types.
  [/^(process|nodejs)_/, ['version', 'major', 'minor', 'patch', 'space', 'kind', 'type', 'le']],
];
/** Any id of ours (shared/ids), in a label or anywhere else in the text. */
const ANY_ID = /\b(usr|idn|org|inv|ws|grp|prj|role|ra|task|pat|ses|key|evt|aud)-[a-z2-7]{20}\b/g;

const kube = kubeEnvironment();

/** `npm start`'s one process (scripts/start.ts): every function and the event backbone on one registry. */
describe("the platform's /metrics", () => {
  const platform = usePlatform(() => ({
    KUBECONFIG: kube.hostKubeconfigPath,
    HEXABASE_PUBLIC_URL: 'https://127.0.0.1:9',
    ...kube.exposureEnv,
  }));
  const registry = processRegistry();
  let server: ReturnType<typeof createLocalServer>;
  let backbone: Backbone;
  afterAll(() => backbone?.stop());
  const scrape = async () => (await metricsFetch(registry)(new Request('http://127.0.0.1/metrics'))).text();
  const send = (fn: string, type: string, workspaceId: string) =>
    deliverOnce(
      { ...triggerTable.find((t) => t.function === fn)!, deliver: server.deliver(fn) },
      new CloudEvent({ type, source: '/hexabase/test', subject: workspaceId, data: { workspaceId } }),
      90_000,
    );

  let text = '';
  let families: Family[] = [];
  let fixture: Awaited<ReturnType<typeof teamOrganization>> & { workspaceId: string };
  // The work, once, then one scrape that every test reads.
  beforeAll(async () => {
    const p = platform();
    server = createLocalServer(p, { registry });
    backbone = await startEventBackbone(p, { deliver: server.deliver, registry, tickSeconds: 3600 });
    const team = await teamOrganization(p);
    // A request naming an organization by its id, so a raw path would show in the labels.
    const res = await server.fetch(
      new Request(`http://127.0.0.1/api/v1/organizations/${team.orgId}`, {
        headers: { authorization: `Bearer ${team.admin.token}` },
      }),
    );
    expect(res.status).toBe(200);
    // A workspace: its creation goes out through the outbox and the backbone to the workers, and the provisioner
    // (asked again as the tick does, until it settles) provisions it on the host cluster.
    const { workspaceId } = await createWorkspace(
      p,
      { userId: team.admin.userId },
      { orgId: team.orgId, name: `x-${randomBytes(3).toString('hex')}`, planId: 'free' },
    );
    // A project: its namespace in the vCluster carries the quota the usage sampler reads.
    const access = (await workspaceAccess(p.authz, workspaceId, team.admin.userId))!;
    await createProject(p, { userId: team.admin.userId }, { ws: access, name: 'web' });
    await waitFor(
      'the workspace RUNNING',
      async () => {
        await send('provisioner', EVENTS.workspaceReconcileRequested.type, workspaceId);
        const [ws] = await p.db.select().from(workspaces).where(eq(workspaces.id, workspaceId));
        return ws?.status === 'RUNNING' ? true : undefined;
      },
      { timeoutMs: 180_000 },
    );
    // Its usage, sampled by the usage sampler from the project's quota in the vCluster.
    await waitFor(
      'a usage sample',
      async () => {
        await send('usage-sampler', EVENTS.usageSampleRequested.type, workspaceId);
        return (await scrape()).includes(`hexabase_workspace_quota_hard{workspace_id="${workspaceId}"`)
          ? true
          : undefined;
      },
      { timeoutMs: 90_000 },
    );
    await waitFor(
      'events published and delivered',
      async () => {
        const t = await scrape();
        return /^hexabase_events_published_total [1-9]/m.test(t) &&
          /^hexabase_events_delivered_total\{consumer="provisioner"\} [1-9]/m.test(t)
          ? true
          : undefined;
      },
      { timeoutMs: 60_000 },
    );
    fixture = { ...team, workspaceId };
    text = await scrape();
    families = await parseExposition(text);
  }, 400_000);

  it('is read by the official Prometheus parser, every sample line included', () => {
    const sampleLines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(families.flatMap((f) => f.samples)).toHaveLength(sampleLines.length);
    const typed = text.split('\n').filter((l) => l.startsWith('# TYPE '));
    expect(families).toHaveLength(typed.length);
  });

  it('carries every Hexabase family with its type, and the values the work produced', () => {
    const family = (name: string) => families.find((f) => f.name === name);
    const value = (name: string, labels: Record<string, string>, sample = name) =>
      family(name)?.samples.find(
        (s) => s.name === sample && Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      )?.value;
    const types: Record<string, string> = {
      http_requests: 'counter',
      http_request_duration_seconds: 'histogram',
      hexabase_events_published: 'counter',
      hexabase_events_delivered: 'counter',
      hexabase_events_retried: 'counter',
      hexabase_events_dead_lettered: 'counter',
      hexabase_outbox_lag_seconds: 'gauge',
      hexabase_dead_letters_open: 'gauge',
      hexabase_reconcile_duration_seconds: 'histogram',
      hexabase_workspace_provisioning_duration_seconds: 'histogram',
      hexabase_workspaces: 'gauge',
      hexabase_workspace_provisioning_oldest_seconds: 'gauge',
      hexabase_workspace_quota_used: 'gauge',
      hexabase_workspace_quota_hard: 'gauge',
      hexabase_workspace_usage_stale: 'gauge',
    };
    for (const [name, type] of Object.entries(types)) expect(family(name)?.type, name).toBe(type);
    const route = '/api/v1/organizations/:orgId';
    expect(
      value(
        'http_requests',
        { function: 'organizations', route, method: 'GET', status: '200' },
        'http_requests_total',
      ),
    ).toBe(1);
    expect(
      value(
        'hexabase_workspace_provisioning_duration_seconds',
        { outcome: 'running' },
        'hexabase_workspace_provisioning_duration_seconds_count',
      ),
    ).toBe(1);
    expect(value('hexabase_workspaces', { status: 'RUNNING' })).toBe(1);
    expect(family('hexabase_workspaces')!.samples).toHaveLength(8);
    // Every trigger's counters exist from the start, so the first retry or dead letter is an increase.
    for (const t of triggerTable)
      for (const name of [
        'hexabase_events_delivered',
        'hexabase_events_retried',
        'hexabase_events_dead_lettered',
      ])
        expect(
          value(name, { consumer: t.name }, `${name}_total`),
          `${name} ${t.name}`,
        ).toBeGreaterThanOrEqual(0);
    expect(value('hexabase_workspace_usage_stale', { workspace_id: fixture.workspaceId })).toBe(0);
    expect(
      value('hexabase_workspace_quota_hard', { workspace_id: fixture.workspaceId, resource: 'pods' }),
    ).toBe(20);
  });

  it('keeps every label set bounded: known label names only, route patterns, no user or organization ids', () => {
    for (const f of families) {
      const allowed = LABELS.find(([re]) => re.test(f.name))?.[1];
      expect(allowed, `${f.name} is catalogued`).toBeDefined();
      for (const s of f.samples)
        for (const label of Object.keys(s.labels)) expect(allowed, f.name).toContain(label);
    }
    const routes = families.find((f) => f.name === 'http_requests')!.samples.map((s) => s.labels.route!);
    for (const route of routes) expect(route).toMatch(/^(\/[\w.:*-]*)+$|^unmatched$/);
    // The only ids anywhere are workspace ids, and only as `workspace_id`.
    const ids = [...text.matchAll(ANY_ID)].map((m) => m[0]);
    expect(ids.every((id) => id.startsWith('ws-'))).toBe(true);
    expect(ids).toContain(fixture.workspaceId);
    for (const line of text.split('\n').filter((l) => ANY_ID.test(l)))
      expect(line).toMatch(/workspace_id="ws-[a-z2-7]{20}"/);
    for (const secret of [fixture.orgId, fixture.admin.userId, fixture.admin.email, fixture.member.userId])
      expect(text).not.toContain(secret);
  });
});
