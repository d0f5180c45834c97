import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import type { Request } from './bench-load-seed';

/** The load benchmark's moving parts: server processes, the autocannon client, and what is read back from them. */

const root = join(import.meta.dirname, '..');

export type Server = { child: ChildProcess; port: number; stop: () => Promise<void> };

/** A port nobody listens on right now, for a server this script starts. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * Starts a server process on `port` with its stdout going to `logFile`, as a container runtime keeps logs, and
 * resolves once the port answers (whatever LOG_LEVEL hides). Not a pipe to this process: pino writes stdout
 * synchronously and sleeps 100 ms whenever a pipe is full, so a reader busy driving load would stall the server.
 */
export async function startServer(
  args: string[],
  env: Record<string, string>,
  opts: { port: number; logFile: string },
): Promise<Server> {
  const out = openSync(opts.logFile, 'w');
  const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', out, 'inherit'] });
  closeSync(out);
  let gone = false;
  const exited = new Promise<void>((done) =>
    child.once('close', () => {
      gone = true;
      done();
    }),
  );
  for (;;) {
    if (gone) throw new Error(`${args.at(-1)} exited before answering; see ${opts.logFile}`);
    if (
      await fetch(`http://127.0.0.1:${opts.port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      break;
    await sleep(100);
  }
  return {
    child,
    port: opts.port,
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** CPU seconds a process has used so far, all its threads (utime + stime from /proc; Linux). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export type Measured = {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  status5xx: number;
  errors: number;
  /** CPU seconds the server and this client used during the run. */
  serverCpu: number;
  loadCpu: number;
};

/**
 * One autocannon run; latencies of every answer (autocannon's own histogram keeps 2xx only, in whole ms). `next`
 * is one fixed request, which autocannon encodes once (the floors need a client that costs as little as it can on
 * a machine it shares with the server), or a function that picks each connection's next request.
 */
export async function drive(
  server: Server,
  opts: { connections: number; seconds: number },
  next: Request | ((ctx: Record<string, unknown>) => Request),
): Promise<Measured> {
  const latencies: number[] = [];
  const cpu0 = cpuSeconds(server.child.pid!);
  const load0 = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: `http://127.0.0.1:${server.port}`,
        connections: opts.connections,
        duration: opts.seconds,
        timeout: 30,
        requests: [
          typeof next === 'function'
            ? { setupRequest: (req, ctx) => ({ ...req, ...next(ctx as Record<string, unknown>) }) }
            : next,
        ],
      },
      (err, res) => (err ? reject(err) : resolve(res)),
    );
    instance.on('response', (_client, _status, _bytes, ms) => latencies.push(ms));
  });
  const load = process.cpuUsage(load0);
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    requests: latencies.length,
    rps: latencies.length / result.duration,
    p50: at(0.5),
    p99: at(0.99),
    max: latencies.at(-1) ?? 0,
    non2xx: result.non2xx,
    status5xx: result['5xx'],
    errors: result.errors,
    serverCpu: cpuSeconds(server.child.pid!) - cpu0,
    loadCpu: (load.user + load.system) / 1e6,
  };
}

export type RouteTimes = Map<string, { count: number; sum: number }>;

/** Requests and seconds per route from the platform's own histogram, scraped on its metrics port. */
export async function routeTimes(metricsPort: number): Promise<RouteTimes> {
  const text = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
  const out: RouteTimes = new Map();
  for (const m of text.matchAll(/^http_request_duration_seconds_(sum|count)\{([^}]*)\} (\S+)$/gm)) {
    const labels = m[2]!;
    const key = `${/method="(\w+)"/.exec(labels)?.[1]} ${/route="([^"]*)"/.exec(labels)?.[1]}`;
    const entry = out.get(key) ?? { count: 0, sum: 0 };
    entry[m[1] as 'sum' | 'count'] += Number(m[3]);
    out.set(key, entry);
  }
  return out;
}

export function routeDelta(before: RouteTimes, after: RouteTimes): RouteTimes {
  return new Map(
    [...after].map(([k, v]) => {
      const b = before.get(k) ?? { count: 0, sum: 0 };
      return [k, { count: v.count - b.count, sum: v.sum - b.sum }];
    }),
  );
}
