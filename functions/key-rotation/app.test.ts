import { randomUUID } from 'node:crypto';
import { CloudEvent, HTTP } from 'cloudevents';
import { and, count, eq, isNotNull, isNull } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { createKeyStore } from '../../shared/auth/keys';
import { auditLog, signingKeys } from '../../shared/db/schema';
import { createDispatcher } from '../../shared/events/dispatcher';
import { enqueue } from '../../shared/events/outbox';
import { createRelay } from '../../shared/events/relay';
import { triggerTable } from '../../shared/events/triggers';
import { waitFor } from '../../shared/testing/kube/supervisor';
import { usePlatform } from '../../shared/testing/platform';
import { functionRegistry } from '../registry';
import { createKeyRotationApp } from './app';
import { fromPlatform as keyRotationDeps } from './deps';

const DAY_MS = 86_400_000;

describe('signing-key rotation on the reconcile tick', () => {
  const platform = usePlatform();
  /** Another replica of the worker: its own key store (own caches), the same database and settings. */
  const replica = (rotationDays = 30) =>
    createKeyRotationApp(
      {
        ...keyRotationDeps(platform()),
        rotationDays,
        keys: createKeyStore({
          db: platform().db,
          kek: platform().auth.auth.kek,
          maxTokenTtlSeconds: 86_400,
        }),
      },
      { log: platform().log },
    );
  const tick = (
    app: ReturnType<typeof replica>,
    event: { id?: string; type?: string; data?: unknown } = {},
  ) => {
    const msg = HTTP.binary(
      new CloudEvent({
        id: event.id ?? randomUUID(),
        type: event.type ?? 'ai.hexabase.reconcile.tick',
        source: '/hexabase/scheduler',
        subject: 'reconcile',
        data: event.data ?? { at: new Date().toISOString() },
      }),
    );
    return app.request('/events', {
      method: 'POST',
      headers: msg.headers as Record<string, string>,
      body: msg.body as string,
    });
  };
  const active = async () =>
    platform()
      .db.select()
      .from(signingKeys)
      .where(and(isNotNull(signingKeys.activatedAt), isNull(signingKeys.retiredAt)));
  /** Makes the active key look as if it was activated `days` ago. */
  const ageActiveKey = async (days: number) => {
    await platform().auth.auth.keys.signingKey(); // the first key exists
    await platform()
      .db.update(signingKeys)
      .set({ activatedAt: new Date(Date.now() - days * DAY_MS) })
      .where(isNull(signingKeys.retiredAt));
  };
  const rotations = async () =>
    (
      await platform()
        .db.select({ n: count() })
        .from(auditLog)
        .where(eq(auditLog.action, 'signing_key.rotated'))
    )[0]!.n;

  it('leaves a key younger than the period alone', async () => {
    await ageActiveKey(29);
    const [before] = await active();
    const res = await tick(replica());
    expect(res.status).toBe(200);
    expect(await active()).toEqual([before]);
    expect(await rotations()).toBe(0);
  });

  it('rotates a key older than the period: a new active key, the old one retired but still published', async () => {
    await ageActiveKey(31);
    const [old] = await active();
    expect((await tick(replica())).status).toBe(200);
    const [now] = await active();
    expect(now!.kid).not.toBe(old!.kid);
    const [retired] = await platform().db.select().from(signingKeys).where(eq(signingKeys.kid, old!.kid));
    expect(retired!.retiredAt).not.toBeNull();
    expect(retired!.expiresAt!.getTime()).toBeGreaterThan(retired!.retiredAt!.getTime() + 86_400_000);
    expect((await platform().auth.auth.keys.jwks()).keys.map((k) => k.kid)).toEqual(
      expect.arrayContaining([old!.kid, now!.kid]),
    );
    const [row] = await platform()
      .db.select()
      .from(auditLog)
      .where(and(eq(auditLog.action, 'signing_key.rotated'), eq(auditLog.targetId, now!.kid)));
    expect(row!.data).toMatchObject({ reason: 'schedule', retired: [old!.kid] });
  });

  it('rotates exactly once when ten replicas receive ten ticks at the same moment', async () => {
    await ageActiveKey(45);
    const before = await rotations();
    const [old] = await active();
    const answers = await Promise.all(Array.from({ length: 10 }, () => tick(replica())));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect((await rotations()) - before).toBe(1);
    const now = await active();
    expect(now).toHaveLength(1);
    expect(now[0]!.kid).not.toBe(old!.kid);
  });

  it('has one effect when the same tick is delivered again, even concurrently', async () => {
    await ageActiveKey(31);
    const before = await rotations();
    const id = randomUUID();
    const app = replica();
    const first = await Promise.all([tick(app, { id }), tick(replica(), { id })]);
    const again = await tick(app, { id });
    expect([...first, again].map((r) => r.status)).toEqual([200, 200, 200]);
    expect((await rotations()) - before).toBe(1);
  });

  it("accepts Knative PingSource's ticks (dev.knative.sources.ping) and refuses other events with 400", async () => {
    await ageActiveKey(31);
    const before = await rotations();
    const ping = await tick(replica(), {
      type: 'dev.knative.sources.ping',
      data: { kind: 'ai.hexabase.reconcile.tick' },
    });
    expect(ping.status).toBe(200);
    expect((await rotations()) - before).toBe(1);
    expect((await tick(replica(), { type: 'ai.hexabase.workspace.created' })).status).toBe(400);
  });

  it('never rotates on the tick when the period is 0 (rotation by command only)', async () => {
    await ageActiveKey(400);
    const before = await rotations();
    expect((await tick(replica(0))).status).toBe(200);
    expect(await rotations()).toBe(before);
  });

  it('is reached through the trigger table and the dispatcher, as `npm start` delivers the tick', async () => {
    const app = functionRegistry['key-rotation'].create(platform(), { log: platform().log });
    const triggers = triggerTable
      .filter((t) => t.function === 'key-rotation')
      .map((t) => ({ ...t, deliver: (req: Request) => Promise.resolve(app.fetch(req)) }));
    expect(triggers.flatMap((t) => t.types)).toEqual(
      expect.arrayContaining(['ai.hexabase.reconcile.tick', 'dev.knative.sources.ping']),
    );
    const dispatcher = createDispatcher({ db: platform().db, log: platform().log, triggers });
    const relay = createRelay({
      database: platform().database,
      publish: dispatcher.publish,
      log: platform().log,
    });
    await ageActiveKey(31);
    const before = await rotations();
    await enqueue(platform().db, {
      type: 'ai.hexabase.reconcile.tick',
      source: 'scheduler',
      subject: 'reconcile',
      data: { at: new Date().toISOString() },
    });
    await relay.drain();
    await waitFor('the rotation', async () => ((await rotations()) > before ? true : undefined), {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    await dispatcher.stop();
    const [fresh] = await active();
    expect(Date.now() - fresh!.activatedAt!.getTime()).toBeLessThan(60_000);
  });
});
