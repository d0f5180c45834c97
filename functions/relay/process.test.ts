import { createServer, type Server } from 'node:http';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox } from '../../shared/db/schema';
import { EVENTS } from '../../shared/events/catalog';
import { connectNats, type NatsHandle } from '../../shared/events/nats';
import { enqueueUncatalogued } from '../../shared/events/outbox';
import { metricsFetch, processRegistry } from '../../shared/http/metrics';
import { parseExposition } from '../../shared/testing/exposition';
import { waitFor } from '../../shared/testing/kube/supervisor';
import { startPrivateNats } from '../../shared/testing/nats';
import { usePlatform } from '../../shared/testing/platform';
import { relayProcess } from './process';

/** The relay function's process: outbox → JetStream → (the bridge) → the Knative broker, here a real HTTP sink. */
describe('the relay process', () => {
  let nats: Awaited<ReturnType<typeof startPrivateNats>>;
  let handle: NatsHandle;
  let broker: Server;
  const received: string[] = [];
  beforeAll(async () => {
    nats = await startPrivateNats();
    handle = await connectNats(nats.url, 'test');
    // The broker accepts every event but refuses those marked as malformed, as a broker refuses a bad event (400).
    broker = createServer((req, res) => {
      const type = String(req.headers['ce-type']);
      received.push(type);
      res.writeHead(type.endsWith('.refused') ? 400 : 202).end();
    });
    await new Promise<void>((r) => broker.listen(0, '127.0.0.1', r));
  });
  afterAll(async () => {
    broker?.close();
    await handle?.close();
    await nats?.stop();
  });
  const platform = usePlatform(() => ({
    K_SINK: `http://127.0.0.1:${(broker.address() as { port: number }).port}/`,
  }));

  it('exports what it published, what the bridge delivered and dead-lettered, the outbox lag and open dead letters', async () => {
    const registry = processRegistry();
    const relay = await relayProcess({ ...platform(), nats: handle }, { registry });
    try {
      const event = (type: `ai.hexabase.${string}`, n: number) =>
        enqueueUncatalogued(platform().db, { type, source: 'test', subject: `s${n}`, data: { n } });
      for (let n = 0; n < 3; n++) await event('ai.hexabase.test.accepted', n);
      await event('ai.hexabase.test.refused', 3);
      await waitFor('the broker got all four', async () => (received.length >= 4 ? true : undefined), {
        timeoutMs: 30_000,
      });
      const scrape = async () => {
        const res = await metricsFetch(registry)(new Request('http://127.0.0.1/metrics'));
        return parseExposition(await res.text());
      };
      // The bridge records the dead letter after the broker's answer: wait for the row.
      await waitFor(
        'the dead letter',
        async () => {
          const open = (await scrape()).find((f) => f.name === 'hexabase_dead_letters_open');
          return open?.samples[0]?.value === 1 ? true : undefined;
        },
        { timeoutMs: 30_000 },
      );
      const families = await scrape();
      const value = (family: string, labels: Record<string, string> = {}) =>
        families
          .find((f) => f.name === family)
          ?.samples.find((s) => Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      // The parser names counters without `_total`.
      expect(value('hexabase_events_published')).toBe(4);
      expect(value('hexabase_events_delivered', { consumer: 'knative-broker' })).toBe(3);
      expect(value('hexabase_events_dead_lettered', { consumer: 'knative-broker' })).toBe(1);
      expect(value('hexabase_events_retried', { consumer: 'knative-broker' })).toBe(0);
      expect(value('hexabase_outbox_lag_seconds')).toBe(0);
      expect(value('hexabase_dead_letters_open')).toBe(1);
      expect(value('process_resident_memory_bytes')).toBeGreaterThan(0);
    } finally {
      await relay.onShutdown();
    }
  });

  it('shows the age of the oldest event still waiting to be published as outbox lag', async () => {
    const registry = processRegistry();
    const relay = await relayProcess({ ...platform(), nats: handle }, { registry });
    await relay.onShutdown(); // a relay that stopped publishing: the event below waits
    await enqueueUncatalogued(platform().db, {
      type: 'ai.hexabase.test.accepted',
      source: 'test',
      subject: 'waiting',
      data: {},
    });
    await new Promise((r) => setTimeout(r, 1100));
    const families = await parseExposition(await registry.metrics());
    const lag = families.find((f) => f.name === 'hexabase_outbox_lag_seconds')!.samples[0]!.value;
    expect(lag).toBeGreaterThanOrEqual(1);
  });
});

describe('the relay process as the usage scheduler', () => {
  let nats: Awaited<ReturnType<typeof startPrivateNats>>;
  let handle: NatsHandle;
  beforeAll(async () => {
    nats = await startPrivateNats();
    handle = await connectNats(nats.url, 'test');
  });
  afterAll(async () => {
    await handle?.close();
    await nats?.stop();
  });
  const platform = usePlatform({ HEXABASE_USAGE_INTERVAL_SECONDS: '5' });

  it('writes the usage tick every interval (a PingSource cannot tick every 30 s)', async () => {
    const relay = await relayProcess({ ...platform(), nats: handle }, { registry: processRegistry() });
    const ticks = async () =>
      (await platform().db.select().from(outbox).where(eq(outbox.type, EVENTS.usageTick.type))).length;
    try {
      await waitFor('a usage tick', async () => ((await ticks()) > 0 ? true : undefined), {
        timeoutMs: 30_000,
      });
    } finally {
      await relay.onShutdown();
    }
  });
});
