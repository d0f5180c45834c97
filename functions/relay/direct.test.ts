import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadLetters } from '../../shared/db/schema';
import { EnvError, parseEnv } from '../../shared/env';
import { EVENTS } from '../../shared/events/catalog';
import { connectNats, type NatsHandle } from '../../shared/events/nats';
import { enqueueUncatalogued } from '../../shared/events/outbox';
import { triggerTable } from '../../shared/events/triggers';
import { processRegistry } from '../../shared/http/metrics';
import { parseExposition } from '../../shared/testing/exposition';
import { waitFor } from '../../shared/testing/kube/supervisor';
import { startPrivateNats } from '../../shared/testing/nats';
import { usePlatform } from '../../shared/testing/platform';
import { relayProcess } from './process';

/** One request as a worker function received it. */
type Arrival = { path: string; headers: Record<string, string | string[] | undefined>; body: string };

/**
 * The relay without Knative (HEXABASE_FUNCTION_URL): outbox → JetStream → every worker function of the trigger
 * table over HTTP, plus the reconcile tick. One real HTTP server stands in for all the functions: the template
 * `http://127.0.0.1:<port>/{function}` puts each function's name first in the path.
 */
describe('the relay delivering to the functions itself', () => {
  let nats: Awaited<ReturnType<typeof startPrivateNats>>;
  let handle: NatsHandle;
  let workers: Server;
  const arrivals: Arrival[] = [];
  const registry = processRegistry();
  let relay: ReturnType<typeof relayProcess> | undefined;
  beforeAll(async () => {
    nats = await startPrivateNats();
    handle = await connectNats(nats.url, 'test');
    // Each function answers by the event's subject: `flaky` fails once with 500, `refused` is always a 400.
    workers = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => {
        body += chunk;
      });
      req.on('end', () => {
        const subject = String(req.headers['ce-subject']);
        const id = String(req.headers['ce-id']);
        const earlier = arrivals.filter((a) => a.headers['ce-id'] === id).length;
        arrivals.push({ path: req.url ?? '', headers: req.headers, body });
        const status = subject === 'refused' ? 400 : subject === 'flaky' && earlier === 0 ? 500 : 202;
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((r) => workers.listen(0, '127.0.0.1', r));
  });
  const platform = usePlatform(() => ({
    HEXABASE_FUNCTION_URL: `http://127.0.0.1:${(workers.address() as { port: number }).port}/{function}`,
    HEXABASE_USAGE_INTERVAL_SECONDS: '5',
  }));
  // Started by the first test that needs it (after usePlatform's hook), then shared by all of them. A reconcile
  // tick every second instead of every minute, so that the tick test waits seconds.
  const running = () => {
    relay ??= relayProcess({ ...platform(), nats: handle }, { registry, tickSeconds: 1 });
    return relay;
  };
  afterAll(async () => {
    await (await relay)?.onShutdown();
    workers?.close();
    await handle?.close();
    await nats?.stop();
  });

  const event = async (type: `ai.hexabase.${string}`, subject: string) => {
    await running();
    return enqueueUncatalogued(platform().db, { type, source: 'test', subject, data: { subject } });
  };
  const arrivalsOf = (id: string) => arrivals.filter((a) => a.headers['ce-id'] === id);
  const arrived = (id: string, n = 1) =>
    waitFor(`delivery of ${id}`, async () => (arrivalsOf(id).length >= n ? true : undefined), {
      timeoutMs: 30_000,
    });
  const counter = async (family: string, consumer: string) =>
    Number(
      (await parseExposition(await registry.metrics()))
        .find((f) => f.name === family)
        ?.samples.find((s) => s.labels.consumer === consumer)?.value,
    );

  it('delivers an event to the function its trigger names, at its /events, as a binary-mode CloudEvent', async () => {
    const project = await event(EVENTS.projectCreated.type, 'p-1');
    const stripe = await event(EVENTS.stripeEventReceived.type, 's-1');
    await arrived(project);
    await arrived(stripe);
    expect(arrivalsOf(project).map((a) => a.path)).toEqual(['/provisioner/events']);
    expect(arrivalsOf(stripe).map((a) => a.path)).toEqual(['/billing-worker/events']);
    const [delivery] = arrivalsOf(project);
    expect(delivery!.headers).toMatchObject({
      'ce-specversion': '1.0',
      'ce-type': EVENTS.projectCreated.type,
      'ce-source': '/hexabase/test',
      'ce-subject': 'p-1',
      'content-type': expect.stringMatching(/^application\/json/),
    });
    expect(JSON.parse(delivery!.body)).toEqual({ subject: 'p-1' });
  });

  it('retries a function that answers 500 and delivers once it answers 2xx', async () => {
    const retriedBefore = await counter('hexabase_events_retried', 'notifications-email');
    const id = await event(EVENTS.emailRequested.type, 'flaky');
    await arrived(id, 2);
    await waitFor(
      'the delivery counted',
      async () => ((await counter('hexabase_events_delivered', 'notifications-email')) ? true : undefined),
      { timeoutMs: 30_000 },
    );
    expect(arrivalsOf(id).map((a) => a.path)).toEqual(['/notifications/events', '/notifications/events']);
    expect(await counter('hexabase_events_retried', 'notifications-email')).toBe(retriedBefore + 1);
    expect(await platform().db.select().from(deadLetters).where(eq(deadLetters.eventId, id))).toEqual([]);
  });

  it('dead-letters an event a function refuses with 400, without retrying it', async () => {
    const id = await event(EVENTS.emailRequested.type, 'refused');
    const [letter] = await waitFor(
      'the dead letter',
      async () => {
        const rows = await platform().db.select().from(deadLetters).where(eq(deadLetters.eventId, id));
        return rows.length > 0 ? rows : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(letter).toMatchObject({ consumer: 'notifications-email', attempts: 1 });
    expect(letter!.lastError).toMatch(/^400/);
    expect(arrivalsOf(id)).toHaveLength(1);
    expect(await counter('hexabase_events_dead_lettered', 'notifications-email')).toBe(1);
  });

  it('sends the reconcile tick to every function that reconciles on it, and the usage tick to the sampler', async () => {
    await running();
    const reached = (type: string) =>
      new Set(arrivals.filter((a) => a.headers['ce-type'] === type).map((a) => a.path));
    const reconcilers = triggerTable
      .filter((t) => t.types.includes(EVENTS.reconcileTick.type))
      .map((t) => `/${t.function}/events`);
    expect(reconcilers).toEqual(
      expect.arrayContaining(['/provisioner/events', '/billing-worker/events', '/key-rotation/events']),
    );
    await waitFor(
      'the ticks at every function that takes them',
      async () => {
        const reconcile = reached(EVENTS.reconcileTick.type);
        const usage = reached(EVENTS.usageTick.type);
        return reconcilers.every((p) => reconcile.has(p)) && usage.has('/usage-sampler/events')
          ? true
          : undefined;
      },
      { timeoutMs: 30_000 },
    );
  });

  it('exports delivery counters for every trigger of the table', async () => {
    await running();
    const families = await parseExposition(await registry.metrics());
    const consumers = (family: string) =>
      new Set(families.find((f) => f.name === family)?.samples.map((s) => s.labels.consumer));
    for (const family of [
      'hexabase_events_delivered',
      'hexabase_events_retried',
      'hexabase_events_dead_lettered',
    ]) {
      expect([...consumers(family)].sort()).toEqual(triggerTable.map((t) => t.name).sort());
    }
  });
});

describe('the relay’s delivery settings', () => {
  const template = 'http://hexabase-{function}.hexabase.svc.cluster.local';

  it('accepts an http(s) template with {function}', () => {
    expect(parseEnv({ HEXABASE_FUNCTION_URL: template }).HEXABASE_FUNCTION_URL).toBe(template);
  });

  it('refuses a function URL template without {function}, or not http(s)', () => {
    for (const bad of ['http://hexabase-relay.hexabase.svc', 'ftp://{function}.example.com', '{function}']) {
      expect(() => parseEnv({ HEXABASE_FUNCTION_URL: bad }), bad).toThrow(EnvError);
      try {
        parseEnv({ HEXABASE_FUNCTION_URL: bad });
      } catch (err) {
        expect((err as EnvError).issues.map((i) => i.variable)).toEqual(['HEXABASE_FUNCTION_URL']);
      }
    }
  });

  it('refuses to start with both K_SINK and HEXABASE_FUNCTION_URL, in one line naming them', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/relay/index.ts'], {
      env: {
        ...process.env,
        NODE_ENV: 'test',
        K_SINK: 'http://broker-ingress.knative-eventing.svc.cluster.local/hexabase/default',
        HEXABASE_FUNCTION_URL: template,
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const code = await new Promise((r) => child.once('exit', r));
    expect(code).toBe(78);
    expect(stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^hexabase: invalid configuration: HEXABASE_FUNCTION_URL: .*K_SINK/),
    ]);
  });
});
