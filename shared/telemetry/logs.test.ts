import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalServer } from '../../scripts/local-server';
import { outbox } from '../db/schema';
import { toCloudEvent } from '../events/cloudevents';
import { deliverOnce } from '../events/dispatcher';
import { triggerTable } from '../events/triggers';
import { createApp } from '../http/app';
import { signedInUser } from '../testing/fixtures';
import { json } from '../testing/http';
import { capturedLogger } from '../testing/logs';
import { startSmtpServer } from '../testing/mail';
import { usePlatform } from '../testing/platform';

const ORIGIN = 'https://hexabase.example.com';
const uniq = () => randomBytes(4).toString('hex');
const HEX32 = /^[0-9a-f]{32}$/;

/** What CONTRACT says every line written while serving a request or an event has. */
const expectContractFields = (line: Record<string, unknown>) =>
  expect(line, JSON.stringify(line)).toMatchObject({
    level: expect.any(String),
    time: expect.any(String),
    function: expect.any(String),
    reqId: expect.any(String),
    traceId: expect.stringMatching(HEX32),
  });

// No OTEL_EXPORTER_OTLP_ENDPOINT: spans are exported nowhere, and still give every line and event their trace.
describe('log lines of requests and event deliveries', () => {
  let smtp: Awaited<ReturnType<typeof startSmtpServer>>;
  beforeAll(async () => {
    smtp = await startSmtpServer();
  });
  afterAll(() => smtp?.close());
  const platform = usePlatform(() => ({ HEXABASE_PUBLIC_URL: ORIGIN, SMTP_URL: smtp.url }));

  it('carry function, reqId and the trace of the request through the event it caused, and no secret', async () => {
    const captured = capturedLogger('debug');
    // Every function's app, logging into the capture: all the lines below are written by a request or a delivery.
    const local = createLocalServer({ ...platform(), log: captured.log });
    const admin = await signedInUser(platform());
    const post = (path: string, body: unknown) =>
      local.fetch(
        new Request(`${ORIGIN}${path}`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${admin.token}`,
            cookie: `hxb_at=${admin.token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(body),
        }),
      );
    const org = await json(await post('/api/v1/organizations', { name: `Traced ${uniq()}` }));
    const invitee = `invitee-${uniq()}@example.com`;
    const res = await post(`/api/v1/organizations/${org.id}/users`, { email: invitee, role: 'member' });
    expect(res.status).toBe(201);
    const invitation = await json(res);
    const reqId = res.headers.get('x-request-id')!;

    // The request's lines: its id, its function, one trace, whose server span is what the event names as parent.
    const requestLines = captured.lines.filter((l) => l.reqId === reqId);
    expect(requestLines.map((l) => l.msg)).toContain('request');
    for (const line of requestLines) expect(line).toMatchObject({ function: 'organizations' });
    // Once the route authorized the caller for the organization, its lines name it.
    expect(requestLines.find((l) => l.msg === 'request')).toMatchObject({ orgId: org.id });
    const [traceId, ...others] = new Set(requestLines.map((l) => l.traceId));
    expect(others).toEqual([]);
    expect(traceId).toMatch(HEX32);
    const [row] = await platform().db.select().from(outbox).where(eq(outbox.subject, invitation.id));
    const serverSpan = requestLines.find((l) => l.msg === 'request')!.spanId;
    expect(row!.traceparent).toBe(`00-${traceId}-${serverSpan}-01`);

    // The delivery to the notifications worker, as the dispatcher makes it: a request of its own in that trace,
    // whose lines say which organization the event is about.
    const trigger = triggerTable.find((t) => t.name === 'notifications-email')!;
    const outcome = await deliverOnce(
      { ...trigger, deliver: local.deliver(trigger.function) },
      toCloudEvent(row!),
      10_000,
    );
    expect(outcome).toEqual({ kind: 'ack' });
    const deliveryLines = captured.lines.filter((l) => l.function === 'notifications');
    expect(deliveryLines.map((l) => l.msg)).toEqual(expect.arrayContaining(['event received', 'request']));
    for (const line of deliveryLines)
      expect(line).toMatchObject({ traceId, orgId: org.id, reqId: expect.not.stringMatching(reqId) });

    for (const line of captured.lines) expectContractFields(line);
    const text = JSON.stringify(captured.lines);
    for (const secret of [admin.token, admin.email, invitee]) expect(text).not.toContain(secret);
  });

  it('are found by request from any logger, after awaits and in work the request started', async () => {
    const captured = capturedLogger('debug');
    const app = createApp({ name: 'orders', log: captured.log });
    app.get('/work', async (c) => {
      c.var.log.info({ password: 'hunter2', token: 'tok-secret', step: 1 }, 'handler');
      await platform().db.execute('select 1');
      captured.log.info({ step: 2 }, 'through another logger, after a query');
      await new Promise<void>((resolve) =>
        setTimeout(() => {
          captured.log.info({ step: 3 }, 'in a timer the request set');
          resolve();
        }, 5),
      );
      return c.body(null, 204);
    });
    const res = await app.request('/work', { headers: { authorization: 'Bearer tok-secret' } });
    expect(res.status).toBe(204);
    const reqId = res.headers.get('x-request-id');
    expect(captured.lines.map((l) => l.step ?? l.msg)).toEqual([1, 2, 3, 'request']);
    for (const line of captured.lines) {
      expectContractFields(line);
      expect(line).toMatchObject({ function: 'orders', reqId, traceId: captured.lines[0]!.traceId });
    }
    expect(JSON.stringify(captured.lines)).not.toMatch(/hunter2|tok-secret/);
  });

  it('outside any request say only which function wrote them', () => {
    const captured = capturedLogger();
    captured.log.info('starting');
    expect(captured.lines[0]).toMatchObject({ level: 'info', function: 'test', msg: 'starting' });
    expect(captured.lines[0]).not.toHaveProperty('reqId');
    expect(captured.lines[0]).not.toHaveProperty('traceId');
    expect(captured.lines[0]).not.toHaveProperty('name');
  });
});
