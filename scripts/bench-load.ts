import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { sql } from 'drizzle-orm';
import * as z from 'zod';
import type { Db } from '../shared/db';
import { rows } from '../shared/db/raw';
import {
  drive,
  freePort,
  type Measured,
  routeDelta,
  routeTimes,
  type Server,
  startServer,
} from './bench-load-drive';
import { type Phase, report } from './bench-load-report';
import { type Request, type SeededUser, seed } from './bench-load-seed';
import { withBenchDatabase } from './bench-support';

/**
 * `npm run bench`, load part, in one run so that every figure has its floor measured beside it:
 *
 * 1. floors: a bare node:http and a bare Hono hello-world, at each of BENCH_LOAD_FLOOR_CONNECTIONS;
 * 2. the platform (scripts/start.ts, every function in one process, on PostgreSQL, Redis and NATS) answering
 *    routes that need no database nor sign-in (`/healthz`, the API reference), interleaved with the floors;
 * 3. the platform answering one authenticated route alone, `GET …/organizations/{orgId}/workspaces`;
 * 4. the mixed authenticated workload at BENCH_LOAD_CONNECTIONS.
 *
 * autocannon runs in this process. Durations are settings, so a short run is possible, e.g.
 * `BENCH_LOAD_SECONDS=10 BENCH_LOAD_WARMUP_SECONDS=2 BENCH_LOAD_PHASE_SECONDS=5 BENCH_LOAD_USERS=4`.
 */
const list = (s: string) => s.split(',').map((n) => Number(n.trim()));
const settings = z
  .object({
    /** The mixed workload: its duration, connections and warm-up. */
    BENCH_LOAD_SECONDS: z.coerce.number().int().min(1).default(60),
    BENCH_LOAD_CONNECTIONS: z.coerce.number().int().min(1).default(200),
    BENCH_LOAD_WARMUP_SECONDS: z.coerce.number().int().min(0).default(10),
    /** Each floor, unauthenticated and authenticated measurement: duration, warm-up, connections, rounds. */
    BENCH_LOAD_PHASE_SECONDS: z.coerce.number().int().min(1).default(20),
    BENCH_LOAD_PHASE_WARMUP_SECONDS: z.coerce.number().int().min(0).default(3),
    BENCH_LOAD_FLOOR_CONNECTIONS: z.string().default('32,200').transform(list),
    BENCH_LOAD_AUTH_CONNECTIONS: z.coerce.number().int().min(1).default(32),
    /** More than one round repeats the floors and unauthenticated routes in turn; the table keeps the median. */
    BENCH_LOAD_ROUNDS: z.coerce.number().int().min(1).default(1),
    BENCH_LOAD_USERS: z.coerce.number().int().min(2).max(30).default(20),
    /** A directory: the platform process runs with --cpu-prof and writes its profile there. */
    BENCH_LOAD_CPU_PROF: z.string().min(1).optional(),
    /** A directory with PostgreSQL's Unix socket (/var/run/postgresql): the platform connects through it. */
    BENCH_LOAD_DATABASE_SOCKET: z.string().min(1).optional(),
    /** Extra settings for the platform process, e.g. DATABASE_POOL_MAX=20 or LOG_LEVEL=warn. */
    BENCH_LOAD_SERVER_ENV: z.string().default(''),
    /** Print the figures without touching docs/benchmarks.md. */
    BENCH_LOAD_NO_REPORT: z.stringbool().default(false),
  })
  .parse(process.env);

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

// PostgreSQL publishes a backend's counts within 10 s of it going idle, or when it exits.
const STATS_DELAY_MS = 11_000;

const median = (runs: Measured[]) => [...runs].sort((a, b) => a.rps - b.rps)[runs.length >> 1]!;

const get = (path: string, headers: Record<string, string> = {}): Request => ({
  method: 'GET',
  path,
  headers,
});

/** A measurement after its warm-up; the warm-up's requests are returned too, for per-request counts. */
async function measure(server: Server, connections: number, next: Parameters<typeof drive>[2]) {
  const warmup = settings.BENCH_LOAD_PHASE_WARMUP_SECONDS;
  const warm = warmup ? await drive(server, { connections, seconds: warmup }, next) : undefined;
  const measured = await drive(server, { connections, seconds: settings.BENCH_LOAD_PHASE_SECONDS }, next);
  return { measured, requests: measured.requests + (warm?.requests ?? 0) };
}

const env = (extra: Record<string, string>) => ({
  PATH: process.env.PATH ?? '/usr/bin:/bin',
  HOME: process.env.HOME ?? '/tmp',
  ...extra,
});

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
      env({
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
      }),
      { port, logFile: join(dataDir, 'hexabase.log') },
    );
    const floors: Server[] = [];
    try {
      const seeded = await seed(`http://127.0.0.1:${platform.port}`, database.db, {
        users: settings.BENCH_LOAD_USERS,
        workspacesPerOrg: 3,
        projectsPerWorkspace: 8,
        memberOf: 3,
      });
      await database.db.execute(sql`analyze`);
      const started = performance.now();
      const load = loadavg();
      for (const kind of ['node', 'hono'] as const) {
        const helloPort = await freePort();
        floors.push(
          await startServer(['--import', 'tsx', 'scripts/bench-hello.ts', String(helloPort), kind], env({}), {
            port: helloPort,
            logFile: join(dataDir, `hello-${kind}.log`),
          }),
        );
      }
      const [nodeFloor, honoFloor] = floors as [Server, Server];
      // Floors and routes in turn, so that the shared machine's drift falls on all of them alike.
      const cases = [
        { server: nodeFloor, name: 'bare node:http hello-world', route: 'GET /', request: get('/') },
        { server: honoFloor, name: 'bare Hono hello-world', route: 'GET /', request: get('/') },
        {
          server: honoFloor,
          name: 'bare Hono, the same page',
          route: 'GET /api/v1/docs',
          request: get('/api/v1/docs'),
        },
        { server: platform, name: 'Hexabase', route: 'GET /healthz', request: get('/healthz') },
        { server: platform, name: 'Hexabase', route: 'GET /api/v1/docs', request: get('/api/v1/docs') },
      ];
      const runs = new Map<string, Measured[]>();
      for (let round = 0; round < settings.BENCH_LOAD_ROUNDS; round++)
        for (const connections of settings.BENCH_LOAD_FLOOR_CONNECTIONS)
          for (const c of cases) {
            const key = `${c.name}|${c.route}|${connections}`;
            runs.set(key, [
              ...(runs.get(key) ?? []),
              (await measure(c.server, connections, c.request)).measured,
            ]);
          }
      const phases: Phase[] = [...runs].map(([key, measured]) => {
        const [name, route, connections] = key.split('|') as [string, string, string];
        return { name, route, connections: Number(connections), measured: median(measured) };
      });
      for (const floor of floors.splice(0)) await floor.stop();

      // 3. One authenticated route alone: the first user's team organization (3 workspaces, 8 projects each).
      const user = seeded.users[0]!;
      const workspaces = user.requests.find((r) =>
        /^\/api\/v1\/organizations\/[^/]+\/workspaces$/.test(r.path),
      )!;
      await sleep(Math.max(0, STATS_DELAY_MS - (performance.now() - started)));
      const tx0 = await transactions(database.db);
      const auth = await measure(platform, settings.BENCH_LOAD_AUTH_CONNECTIONS, workspaces);
      await sleep(STATS_DELAY_MS);
      const tx1 = await transactions(database.db);
      phases.push({
        name: 'Hexabase, signed in',
        route: 'GET /api/v1/organizations/{orgId}/workspaces',
        connections: settings.BENCH_LOAD_AUTH_CONNECTIONS,
        measured: auth.measured,
        roundTrips: (tx1 - tx0) / auth.requests,
      });

      // 4. The mixed workload.
      const next = workload(seeded.users);
      const { BENCH_LOAD_SECONDS: seconds, BENCH_LOAD_CONNECTIONS: connections } = settings;
      const warmup = settings.BENCH_LOAD_WARMUP_SECONDS;
      const warm = warmup ? await drive(platform, { connections, seconds: warmup }, next) : undefined;
      const before = await routeTimes(metricsPort);
      const mixedLoad = loadavg()[0]!;
      const mixed = await drive(platform, { connections, seconds }, next);
      const routes = routeDelta(before, await routeTimes(metricsPort));
      await platform.stop();
      const perRequestTx =
        ((await transactions(database.db)) - tx1) / (mixed.requests + (warm?.requests ?? 0));
      const pg = await rows<{ v: string }>(database.db, sql`select current_setting('server_version') as v`);
      report(
        {
          phases,
          mixed,
          routes,
          seeded: seeded.counts,
          perRequestTx,
          load,
          mixedLoad,
          serverEnv,
          postgres: pg[0]?.v ?? '?',
        },
        settings,
      );
    } finally {
      for (const floor of floors) await floor.stop();
      await platform.stop();
    }
  });
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
