import type { Registry } from 'prom-client';
import { afterAll, beforeAll } from 'vitest';
import { createLocalServer } from '../scripts/local-server';
import { type Backbone, startEventBackbone } from '../shared/events/backbone';
import { connectNats, type NatsHandle } from '../shared/events/nats';
import { processRegistry } from '../shared/http/metrics';
import type { Platform } from '../shared/platform';
import { routeTable } from '../shared/routes/table';
import { startPrivateNats } from '../shared/testing/nats';
import { usePlatform } from '../shared/testing/platform';
import { seriesNames } from '../shared/testing/promql';
import { type FunctionName, functionRegistry } from './registry';
import { relayProcess } from './relay/process';

/** Scrape-time series no process registers: Prometheus adds `up` to every target. */
export const STANDARD_SERIES = ['up'] as const;

export type Processes = {
  /** Per process: `npm start` (every function and the backbone in one), and each function as served alone. */
  registries: Map<string, Registry>;
  /** `npm start`'s process: its server and event backbone, to drive real work through. */
  local: ReturnType<typeof createLocalServer> & { backbone: Backbone };
  /** Every metric any process registers, by its name in the registry. */
  metrics: () => Set<string>;
  /** Every series name any process exports, as queries must spell them (shared/testing/promql.ts). */
  names: () => Set<string>;
  stop: () => Promise<void>;
};

/**
 * Test support (not product code): the metrics registry of every process Hexabase runs, built as the process
 * builds it: each function through serveFunction's builder (functions/registry.ts), the relay through its own
 * process builder on `nats`, and `npm start` (scripts/start.ts) through the local server and the event backbone.
 */
export async function buildProcesses(p: Platform, nats: NatsHandle): Promise<Processes> {
  const registries = new Map<string, Registry>();
  const stops: (() => Promise<void>)[] = [];
  for (const { name } of routeTable) {
    const registry = processRegistry();
    registries.set(name, registry);
    if (name === 'relay') {
      const relay = await relayProcess({ ...p, nats }, { registry });
      stops.push(relay.onShutdown);
    } else functionRegistry[name as FunctionName].create(p, { log: p.log, readiness: p.readiness, registry });
  }
  const registry = processRegistry();
  const server = createLocalServer(p, { registry });
  const backbone = await startEventBackbone(p, { deliver: server.deliver, registry, tickSeconds: 3600 });
  registries.set('npm start', registry);
  stops.push(backbone.stop);
  return {
    registries,
    local: { ...server, backbone },
    metrics: () => new Set([...registries.values()].flatMap((r) => r.getMetricsAsArray().map((m) => m.name))),
    names: () => new Set([...registries.values()].flatMap((r) => [...seriesNames(r)])),
    stop: async () => {
      for (const stop of stops) await stop();
    },
  };
}

/** Every process's registry on the file's platform and a private NATS, built once for the file (`buildProcesses`). */
export function useProcesses(): () => Processes {
  let nats: Awaited<ReturnType<typeof startPrivateNats>>;
  let handle: NatsHandle;
  let processes: Processes;
  const platform = usePlatform();
  beforeAll(async () => {
    nats = await startPrivateNats();
    handle = await connectNats(nats.url, 'test');
    processes = await buildProcesses(platform(), handle);
  });
  afterAll(async () => {
    await processes?.stop();
    await handle?.close();
    await nats?.stop();
  });
  return () => processes;
}
