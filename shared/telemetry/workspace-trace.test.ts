import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { outbox } from '../db/schema';
import { type Backbone, startEventBackbone } from '../events/backbone';
import { EVENTS } from '../events/catalog';
import { hostCluster } from '../provisioner/host';
import { teamOrganization } from '../testing/fixtures';
import { json } from '../testing/http';
import { capturedLogger } from '../testing/logs';
import { type ReceivedSpan, useOtlpReceiver } from '../testing/otlp';
import { useProvisioning } from '../testing/provisioning';
import { flushTelemetry } from '.';
import { parseTraceparent } from './context';

const SERVER = 2;
const CLIENT = 3;
const PRODUCER = 4;
const CONSUMER = 5;
const ERROR = 2;

/**
 * One trace, followed from the API to the host cluster: the workspace is created over HTTP, its event is written to
 * the outbox with the request's traceparent, relayed and delivered as `npm start` does it (in process: the run's
 * NATS is shared by test files, whose durable consumers would take each other's events), and the provisioner
 * applies the HelmRelease to the run's host cluster. Spans go over OTLP/HTTP to a receiver in this test, as they
 * would to a collector or Tempo; one process, so every span's service is this platform's name.
 */
describe('the trace of a workspace creation', () => {
  const otlp = useOtlpReceiver();
  const p = useProvisioning(() => ({ OTEL_EXPORTER_OTLP_ENDPOINT: otlp().url }));
  // The workers log into the capture, so the lines of each delivery can be read.
  const captured = capturedLogger('debug');
  let backbone: Backbone | undefined;
  beforeAll(async () => {
    const platform = { ...p.platform(), log: captured.log };
    backbone = await startEventBackbone(platform, { deliver: createLocalServer(platform).deliver });
  });
  let workspaceId: string | undefined;
  afterAll(async () => {
    await backbone?.stop();
    // Deleting its namespace stops the workspace's virtual cluster, which would otherwise run to the end of the run.
    if (workspaceId)
      await hostCluster(p.platform().env)!.delete({ kind: 'Namespace', name: `hxb-${workspaceId}` });
  });

  /** Polls the receiver (flushing the exporter's batch each time) until `find` finds something. */
  const received = async <T>(find: () => T | undefined): Promise<T> => {
    let found: T | undefined;
    await expect
      .poll(
        async () => {
          await flushTelemetry();
          found = find();
          return found;
        },
        { timeout: 90_000, interval: 500 },
      )
      .toBeDefined();
    return found!;
  };

  it('goes from POST …/workspaces through the outbox, relay and provisioner to the HelmRelease apply', async () => {
    const receiver = otlp();
    const team = await teamOrganization(p.platform());
    const res = await p.api(team.admin.token, `/api/v1/organizations/${team.orgId}/workspaces`, {
      method: 'POST',
      body: JSON.stringify({ name: `traced-${Date.now()}`, planId: 'standard' }),
    });
    expect(res.status).toBe(202);
    workspaceId = (await json(res)).workspaceId as string;

    // The outbox row names the request's server span: the trace starts there.
    const [row] = await p
      .platform()
      .db.select()
      .from(outbox)
      .where(and(eq(outbox.subject, workspaceId), eq(outbox.type, EVENTS.workspaceCreated.type)));
    const origin = parseTraceparent(row!.traceparent)!;
    expect(origin).toBeDefined();

    const ancestry = (span: ReceivedSpan) => {
      const byId = new Map(receiver.trace(origin.traceId).map((s) => [s.spanId, s]));
      const chain: ReceivedSpan[] = [];
      for (
        let s: ReceivedSpan | undefined = span;
        s;
        s = s.parentSpanId ? byId.get(s.parentSpanId) : undefined
      )
        chain.push(s);
      return chain;
    };
    // A parent span ends, and is exported, after its children: wait until the apply's ancestry reaches the root.
    const apply = await received(() => {
      const span = receiver.trace(origin.traceId).find((s) => s.name === 'k8s.apply HelmRelease');
      return span && !ancestry(span).at(-1)!.parentSpanId ? span : undefined;
    });

    // Client span → the provisioner's handling of the event → its delivery → the API request, which has no parent.
    const chain = ancestry(apply);
    expect(chain.map((s) => [s.name, s.kind])).toEqual([
      ['k8s.apply HelmRelease', CLIENT],
      ['process ai.hexabase.workspace.created', CONSUMER],
      ['POST /events', SERVER],
      ['POST /api/v1/organizations/:orgId/workspaces', SERVER],
    ]);
    const request = chain.at(-1)!;
    expect(request).toMatchObject({ spanId: origin.spanId, parentSpanId: undefined, service: 'test' });
    expect(request.attributes).toMatchObject({ 'http.response.status_code': 202 });
    expect(chain[1]!.attributes).toMatchObject({
      'messaging.consumer.group.name': 'provisioner',
      'cloudevents.event_id': row!.id,
      'cloudevents.event_type': EVENTS.workspaceCreated.type,
    });
    expect(apply.attributes).toEqual({
      'http.request.method': 'PATCH',
      'k8s.resource.kind': 'HelmRelease',
      'k8s.namespace.name': `hxb-${workspaceId}`,
      'http.response.status_code': expect.toBeOneOf([200, 201]),
    });
    expect(apply.status).not.toBe(ERROR);

    // The relay published the row as a child of the request, beside the deliveries.
    const publish = await received(() =>
      receiver.trace(origin.traceId).find((s) => s.name === `publish ${EVENTS.workspaceCreated.type}`),
    );
    expect(publish).toMatchObject({ kind: PRODUCER, parentSpanId: origin.spanId });

    // Every Kubernetes call of the trace is a client span with its verb, kind and status; an absent object a get
    // asked about is an answer, not a failure; no span carries a name's value, a body or a credential.
    const kubeSpans = receiver.trace(origin.traceId).filter((s) => s.name.startsWith('k8s.'));
    expect(kubeSpans.length).toBeGreaterThan(1);
    for (const s of kubeSpans) {
      expect(s.kind).toBe(CLIENT);
      expect(s.attributes).toHaveProperty('http.response.status_code');
      if (s.attributes['http.response.status_code'] === 404) expect(s.status).not.toBe(ERROR);
    }
    const exported = JSON.stringify(receiver.spans);
    for (const secret of [team.admin.token, 'BEGIN', 'client-key-data', 'vc-vcluster'])
      expect(exported).not.toContain(secret);

    // The provisioner's lines of this trace: its request id, the trace, the workspace and organization.
    const lines = captured.lines.filter((l) => l.traceId === origin.traceId && l.function === 'provisioner');
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines)
      expect(line).toMatchObject({
        level: expect.any(String),
        time: expect.any(String),
        reqId: expect.any(String),
        wsId: workspaceId,
        orgId: team.orgId,
      });
  });
});
