import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import * as z from 'zod';
import type { Db } from '../shared/db';
import { rows } from '../shared/db/raw';
import { drive, freePort, type Measured, routeDelta, routeTimes, startServer } from './bench-load-drive';
import { type Request, type SeededUser, seed } from './bench-load-seed';
import { appendReport, withBenchDatabase } from './bench-support';

/**
 * `npm run bench`, load part: the whole platform as a real process (scripts/start.ts) on PostgreSQL, Redis and
 * NATS, driven by this process with autocannon through a mixed authenticated workload; then a bare Hono
 * hello-world measured the same way on the same machine. BENCH_LOAD_SECONDS / BENCH_LOAD_CONNECTIONS make a
 * quick run possible; the documented figure is 200 connections × 60 s.
 */
const settings = z
  .object({
    BENCH_LOAD_SECONDS: z.coerce.number().int().min(1).default(60),
    BENCH_LOAD_CONNECTIONS: z.coerce.number().int().min(1).default(200),
    BENCH_LOAD_WARMUP_SECONDS: z.coerce.number().int().min(0).default(10),
    BENCH_LOAD_USERS: z.coerce.number().int().min(2).max(30).default(20),
    /** A directory: the platform process runs with --cpu-prof and writes its profile there. */
    BENCH_LOAD_CPU_PROF: z.string().min(1).optional(),
    /** A directory with PostgreSQL's Unix socket (/var/run/postgresql): the platform connects through it. */
    BENCH_LOAD_DATABASE_SOCKET: z.string().min(1).optional(),
    /** Extra settings for the platform process, e.g. DATABASE_POOL_MAX=20 or LOG_LEVEL=warn. */
    BENCH_LOAD_SERVER_ENV: z.string().default(''),
  })
  .parse(process.env);

/** What profiling found (not measured by this run; redo with BENCH_LOAD_CPU_PROF=dir and update when it changes). */
const FINDINGS = [
  "Where the time goes (2026-11-30, `BENCH_LOAD_CPU_PROF=<dir>` writes the platform's V8 profile; 20-s runs of this benchmark, before and after interleaved):",
  '',
  "- The process is CPU-bound on one core; the database, pool and log are not the limit. `DATABASE_POOL_MAX=20`, PostgreSQL over its Unix socket (`BENCH_LOAD_DATABASE_SOCKET=/var/run/postgresql`) and `LOG_LEVEL=warn` (`BENCH_LOAD_SERVER_ENV=…`) left the CPU per request unchanged within noise. A route's latency grows with its sequential database round trips: each one waits its turn behind the other requests (organizations: 2, most routes: 3, token exchange: 4 and an RS256 signature).",
  "- Fixed: workspace access (every workspace and project route) is one query instead of four (4.1 → 3.1 round trips per request), and access tokens already verified with a cached key are not verified again (jose's RS256 check through WebCrypto costs ~0.17 ms of CPU, node:crypto's ~0.03 ms, a remembered token ~1 µs). Together: 481–570 → 738–750 req/s, p99 759–1,050 → 457–463 ms, 1.68–2.03 → 1.23 ms of server CPU per request.",
  "- Fixed in the harness: the platform's stdout goes to a file. Through a pipe read by this busy process, pino's synchronous writes hit a full pipe, and sonic-boom then blocks the event loop for 100 ms each time (p99 1.7 s). A deployment whose log collector falls behind would see the same stalls.",
  "- Left, with their share of the profile: pg socket writes (~20–35% of wall time, one per query), GC (~11%), Drizzle building queries (~10%), the session check (one round trip per request, so that revocation stays immediate), RS256 signing of ID tokens (~0.7 ms of CPU per exchange, on the thread pool); `/auth/me` and the token exchange are each one merged query away from one round trip less. Meeting the target needs about a third of today's CPU per request, or more processes than this machine has cores: in the cluster each function scales out in its own pods.",
];

/** Each connection plays one user and walks through that user's requests in turn. */
function workload(users: SeededUser[]) {
  let connections = 0;
  return (ctx: Record<string, unknown>): Request => {
    if (ctx.user === undefined) {
      ctx.user = connections % users.length;
      ctx.step = Math.floor(connections / users.length);
      connections++;
    }
    const { requests } = users[ctx.user as number]!;
    ctx.step = ((ctx.step as number) + 1) % requests.length;
    return requests[ctx.step as number]!;
  };
}

/** Transactions the database has counted (each query outside a transaction is one). */
async function transactions(db: Db): Promise<number> {
  const [row] = await rows<{ n: string }>(
    db,
    sql`select xact_commit + xact_rollback as n from pg_stat_database where datname = current_database()`,
  );
  return Number(row?.n ?? 0);
}

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const row = (name: string, m: Measured) =>
  `| ${name} | ${m.requests.toLocaleString('en')} | ${m.rps.toFixed(0)} | ${ms(m.p50)} | ${ms(m.p99)} | ${ms(m.max)} | ${m.non2xx} | ${m.status5xx} | ${m.errors} | ${((m.serverCpu / m.requests) * 1000).toFixed(2)} ms | ${m.serverCpu.toFixed(1)} s / ${m.loadCpu.toFixed(1)} s |`;

const { BENCH_LOAD_SECONDS: seconds, BENCH_LOAD_CONNECTIONS: connections } = settings;
const warmup = settings.BENCH_LOAD_WARMUP_SECONDS;
const run = { connections, seconds };
const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-bench-load-'));
try {
  await withBenchDatabase(async (database, url) => {
    const serverEnv = Object.fromEntries(
      settings.BENCH_LOAD_SERVER_ENV.split(/\s+/)
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
    const [port, metricsPort] = [await freePort(), await freePort()];
    const platform = await startServer(
      [
        ...(settings.BENCH_LOAD_CPU_PROF
          ? ['--cpu-prof', `--cpu-prof-dir=${settings.BENCH_LOAD_CPU_PROF}`]
          : []),
        '--import',
        'tsx',
        'scripts/start.ts',
      ],
      {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? '/tmp',
        PORT: String(port),
        METRICS_PORT: String(metricsPort),
        HOST: '127.0.0.1',
        // Loopback TCP by default, as the other benchmarks connect; the socket is for comparing.
        DATABASE_URL: settings.BENCH_LOAD_DATABASE_SOCKET
          ? `${url.replace('@127.0.0.1:5432/', '@localhost/')}?host=${settings.BENCH_LOAD_DATABASE_SOCKET}`
          : url,
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
        NATS_URL: 'nats://127.0.0.1:4222',
        HEXABASE_DATA_DIR: dataDir,
        HEXABASE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
        HEXABASE_ACCESS_TOKEN_TTL_SECONDS: '3600',
        LOG_LEVEL: 'info',
        ...serverEnv,
      },
      { port, logFile: join(dataDir, 'hexabase.log') },
    );
    let hexabase: Measured;
    let seeded: Awaited<ReturnType<typeof seed>>;
    let routes: Awaited<ReturnType<typeof routeTimes>>;
    let load: number;
    let tx0: number;
    let requests: number;
    try {
      seeded = await seed(`http://127.0.0.1:${platform.port}`, database.db, {
        users: settings.BENCH_LOAD_USERS,
        workspacesPerOrg: 3,
        projectsPerWorkspace: 8,
        memberOf: 3,
      });
      await database.db.execute(sql`analyze`);
      // PostgreSQL publishes a backend's counts within 10 s of it going idle, or when it exits.
      await sleep(11_000);
      tx0 = await transactions(database.db);
      const next = workload(seeded.users);
      const warm = warmup ? await drive(platform, { connections, seconds: warmup }, next) : undefined;
      const before = await routeTimes(metricsPort);
      load = loadavg()[0]!;
      hexabase = await drive(platform, run, next);
      routes = routeDelta(before, await routeTimes(metricsPort));
      requests = hexabase.requests + (warm?.requests ?? 0);
    } finally {
      await platform.stop();
    }
    const perRequestTx = ((await transactions(database.db)) - tx0) / requests;

    const helloPort = await freePort();
    const hello = await startServer(
      ['--import', 'tsx', 'scripts/bench-hello.ts', String(helloPort)],
      { PATH: process.env.PATH ?? '' },
      { port: helloPort, logFile: join(dataDir, 'hello.log') },
    );
    let baseline: Measured;
    try {
      const get = (): Request => ({ method: 'GET', path: '/', headers: {} });
      if (warmup) await drive(hello, { connections, seconds: warmup }, get);
      baseline = await drive(hello, run, get);
    } finally {
      await hello.stop();
    }
    report({ hexabase, baseline, routes, seeded: seeded.counts, perRequestTx, load, serverEnv });
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}

function report(r: {
  hexabase: Measured;
  baseline: Measured;
  routes: Awaited<ReturnType<typeof routeTimes>>;
  seeded: Awaited<ReturnType<typeof seed>>['counts'];
  perRequestTx: number;
  load: number;
  serverEnv: Record<string, string>;
}) {
  const c = r.seeded;
  const cpuPerRequest = (r.hexabase.serverCpu / r.hexabase.requests) * 1000;
  const settingsLine = Object.keys(r.serverEnv).length
    ? ` Platform settings: \`${settings.BENCH_LOAD_SERVER_ENV}\`.`
    : '';
  appendReport([
    '',
    `## Load: the platform as a process on PostgreSQL, Redis and NATS (${connections} connections × ${seconds} s)`,
    '',
    `Run by \`npm run bench\` (\`scripts/bench-load.ts\`; \`BENCH_LOAD_SECONDS\` and \`BENCH_LOAD_CONNECTIONS\` shorten it): \`scripts/start.ts\` — every function in one process, as \`npm start\` runs them — on a throwaway PostgreSQL database, Redis and NATS on 127.0.0.1 (loopback TCP), \`LOG_LEVEL=info\` (one JSON line per request), \`DATABASE_POOL_MAX\` 10.${settingsLine} autocannon in a separate process on the same 2-core machine: ${connections} keep-alive connections for ${seconds} s after ${warmup} s of warm-up; 1-minute load average at the start ${r.load.toFixed(1)} (the machine is shared). Data made through the API: ${c.users} users, ${c.organizations} organizations, ${c.workspaces} workspaces (standard plan), ${c.groups} groups, ${c.projects} projects, ${c.memberships} cross-organization memberships (org member, workspace member, in a group). Each connection is one user walking through its requests in equal parts: \`GET /auth/me\`, \`GET /api/v1/organizations\`, \`GET …/organizations/{orgId}/workspaces\`, \`GET …/workspaces/{wsId}\`, \`GET /api/v1/workspaces/{wsId}/projects\` and the RFC 8693 exchange \`POST /oidc/{wsId}/token\` (access token → ID token). The baseline is a bare Hono hello-world on @hono/node-server, measured right after with the same client and settings. Latencies include every answer. CPU: what each process used during the run, all threads (2 cores = ${2 * seconds} s).`,
    '',
    '| server | requests | req/s | p50 | p99 | max | non-2xx | 5xx | errors | server CPU per request | CPU server / client |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    row('Hexabase, mixed workload', r.hexabase),
    row('bare Hono hello-world', r.baseline),
    '',
    `Target: p99 ≤ 100 ms. With a fixed number of connections each waiting for its answer, mean latency = connections ÷ throughput, so ${connections} connections under a p99 of 100 ms need well over ${Math.round(connections / 0.1).toLocaleString('en')} req/s: at most ${(100 / connections).toFixed(2)} ms of server CPU per request even with a core to itself. This run: ${cpuPerRequest.toFixed(2)} ms of server CPU and ${r.perRequestTx.toFixed(1)} database round trips (transactions, background work included) per request.`,
    '',
    ...FINDINGS,
    '',
    'Mean time per route inside the platform (its `http_request_duration_seconds`, scraped on `METRICS_PORT`), queueing included; `POST /events` is the event backbone delivering to a worker function in the same process (the reconcile tick), background work that shares the core:',
    '',
    '| route | requests | mean |',
    '|---|---|---|',
    ...[...r.routes]
      .filter(([, v]) => v.count > 0)
      .sort((a, b) => b[1].count - a[1].count)
      .map(([k, v]) => `| ${k} | ${v.count.toLocaleString('en')} | ${ms((v.sum / v.count) * 1000)} |`),
    '',
  ]);
}
