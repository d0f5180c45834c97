import { cpus, release, totalmem } from 'node:os';
import type { Measured, RouteTimes } from './bench-load-drive';
import type { seed } from './bench-load-seed';
import { appendReport } from './bench-support';

/** One measurement of the load benchmark's first three parts. */
export type Phase = {
  name: string;
  route: string;
  connections: number;
  measured: Measured;
  /** Database transactions per request, warm-up included (background work too). */
  roundTrips?: number;
};

/** What profiling found (not measured by this run; redo with BENCH_LOAD_CPU_PROF=dir and update when it changes). */
const FINDINGS = [
  "Where the time goes (2026-11-30; `BENCH_LOAD_CPU_PROF=<dir>` writes the platform's V8 profile; an in-process harness also fed requests through node:http without sockets, so that CPU per request could be compared without the shared machine's noise):",
  '',
  "- The request path: an empty request (`/healthz`) cost ~20–26 µs of JavaScript where bare Hono costs ~3 µs. Per request: building the request's `Headers` to read `X-Request-Id` (~4 µs), a pino child logger (~3 µs: its bindings go through the wildcard redaction), the request line through that redaction (~13 µs of the line's ~17 µs), prom-client hashing label objects (~2 µs), `new URL()` in the local dispatcher and again in the input guard, undici `Headers` for the security headers, six middleware layers, and a captured stack for every 4xx error (~5 µs). Now one middleware sets the id, the security headers (on Node's response, before the handler) and the metrics; the child logger is made on first use; the request line goes through a child without redaction (its fields are never redacted) with its timestamp formatted once per millisecond; request metrics are plain numbers per route and method, rendered in prom-client's format when scraped; the input guard skips URLs without `%`; the dispatcher slices the path; 4xx errors carry no stack; the API reference is encoded once. The platform before and after, side by side in the same runs (32 connections, alternating rounds, two runs): `/healthz` 0.33–0.37× → 0.50–0.72× of bare Hono's req/s (60–75 → 36–44 µs of server CPU per request), `/api/v1/docs` 0.22–0.24× → 0.44–0.48×, an anonymous request to a signed-in route (401) 0.17× → 0.29–0.35×.",
  "- Left on the request path: the security headers and the request id (~3 µs: Node validates each header, and four extra headers make `writeHead` merge), two Hono middleware layers (~1–2 µs each), the request line (pino's formatting, and sonic-boom measuring the byte length of its whole pending buffer on every write: ~5 µs a line under load), and the per-request work of Hono and @hono/node-server themselves. The platform process is also simply bigger than a hello-world (every function, ~100 MB of heap): the same JavaScript costs more there than in a small process.",
  "- The deployed bundles (esbuild `keepNames`) pay for every closure made per request with a `defineProperty` (Hono's Context alone has ~15 arrow-function fields): `/healthz` from `dist/functions/docs` used 59 µs of CPU per request with `keepNames` and 42 µs without (0.40× and 0.54× of bare Hono). Turning it off needs another way to keep class names (`AppError` names errors by `new.target.name`; libraries compare `constructor.name`); `minifyIdentifiers: false` instead keeps names for free but grows the bundles by 35–45%.",
  "- The process is CPU-bound on one core; the database, pool and log are not the limit. `DATABASE_POOL_MAX=20`, PostgreSQL over its Unix socket (`BENCH_LOAD_DATABASE_SOCKET=/var/run/postgresql`) and `LOG_LEVEL=warn` (`BENCH_LOAD_SERVER_ENV=…`) left the CPU per request unchanged within noise. A route's latency grows with its sequential database round trips: each one waits its turn behind the other requests.",
  "- Fixed earlier: workspace access (every workspace and project route) is one query instead of four, and access tokens already verified with a cached key are not verified again (jose's RS256 check through WebCrypto costs ~0.17 ms of CPU, node:crypto's ~0.03 ms, a remembered token ~1 µs).",
  "- Fixed in the harness: the platform's stdout goes to a file. Through a pipe read by this busy process, pino's writes hit a full pipe, and sonic-boom then blocks the event loop for 100 ms each time (p99 1.7 s). A deployment whose log collector falls behind would see the same stalls.",
  '- Left on signed-in routes: pg and Redis client work (a socket write per query or command), Drizzle building queries, GC, RS256 signing of ID tokens (~0.7 ms of CPU per exchange, on the thread pool).',
];

const ms = (v: number) => `${v.toFixed(v < 10 ? 2 : 1)} ms`;
const us = (seconds: number, requests: number) => `${((seconds / requests) * 1e6).toFixed(0)} µs`;
const ratio = (v: number) => `${v.toFixed(2)}×`;

function machine(postgres: string) {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'} (${cpu.length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}, PostgreSQL ${postgres}`;
}

type Settings = {
  BENCH_LOAD_SECONDS: number;
  BENCH_LOAD_CONNECTIONS: number;
  BENCH_LOAD_WARMUP_SECONDS: number;
  BENCH_LOAD_PHASE_SECONDS: number;
  BENCH_LOAD_PHASE_WARMUP_SECONDS: number;
  BENCH_LOAD_ROUNDS: number;
  BENCH_LOAD_SERVER_ENV: string;
  BENCH_LOAD_NO_REPORT: boolean;
};

export function report(
  r: {
    phases: Phase[];
    mixed: Measured;
    routes: RouteTimes;
    seeded: Awaited<ReturnType<typeof seed>>['counts'];
    perRequestTx: number;
    /** 1, 5 and 15-minute load averages when the measurements began; the 1-minute one before the mixed run. */
    load: number[];
    mixedLoad: number;
    serverEnv: Record<string, string>;
    postgres: string;
  },
  s: Settings,
) {
  const hono = (connections: number) =>
    r.phases.find((p) => p.name === 'bare Hono hello-world' && p.connections === connections)!.measured;
  const cpu = (m: Measured) => m.serverCpu / m.requests;
  const row = (p: Phase) => {
    const floor = hono(p.connections);
    const m = p.measured;
    return `| ${p.name} | ${p.route} | ${p.connections} | ${m.rps.toFixed(0)} | ${ratio(m.rps / floor.rps)} | ${ms(m.p50)} | ${ms(m.p99)} | ${us(m.serverCpu, m.requests)} | ${ratio(cpu(floor) / cpu(m))} | ${m.non2xx} | ${m.errors} | ${p.roundTrips === undefined ? '' : p.roundTrips.toFixed(2)} |`;
  };
  const at = (route: string) => r.phases.filter((p) => p.route === route);
  const verdict = (ok: boolean) => (ok ? 'met' : '**not met**');
  const unauth = ['GET /healthz', 'GET /api/v1/docs'].flatMap((route) =>
    at(route)
      .filter((p) => p.name === 'Hexabase')
      .map((p) => ({ p, x: p.measured.rps / hono(p.connections).rps })),
  );
  const samePage = (connections: number) =>
    r.phases.find((p) => p.name === 'bare Hono, the same page' && p.connections === connections)!.measured;
  const docsToPage = unauth
    .filter(({ p }) => p.route === 'GET /api/v1/docs')
    .map(({ p }) => `${ratio(p.measured.rps / samePage(p.connections).rps)} at ${p.connections}`)
    .join(', ');
  const signedIn = r.phases.find((p) => p.roundTrips !== undefined)!;
  const signedInRatio = signedIn.measured.rps / hono(signedIn.connections).rps;
  const signedInCpuMs = cpu(signedIn.measured) * 1000;
  const settingsLine = Object.keys(r.serverEnv).length
    ? ` Platform settings: \`${s.BENCH_LOAD_SERVER_ENV}\`.`
    : '';
  const c = r.seeded;
  const mixedCpu = cpu(r.mixed) * 1000;
  const lines = [
    '',
    '## Load: the request path and the platform on PostgreSQL, Redis and NATS',
    '',
    `Run by \`npm run bench\` (\`scripts/bench-load.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${machine(r.postgres)}. Load average at the start ${r.load.map((l) => l.toFixed(2)).join(' / ')} (1 / 5 / 15 min; the machine is shared, other work ran beside this). Each server is its own process started with \`tsx\`; autocannon drives them from the benchmark's process on the same machine, with keep-alive connections and one request at a time per connection. The platform is \`scripts/start.ts\` — every function in one process, as \`npm start\` runs them — on a throwaway PostgreSQL database, Redis and NATS on 127.0.0.1, \`LOG_LEVEL=info\` (one JSON line per request, to a file), \`DATABASE_POOL_MAX\` 10.${settingsLine}`,
    '',
    `### Floors, routes without a database, and one signed-in route (${s.BENCH_LOAD_PHASE_SECONDS} s each after ${s.BENCH_LOAD_PHASE_WARMUP_SECONDS} s of warm-up${s.BENCH_LOAD_ROUNDS > 1 ? `, median of ${s.BENCH_LOAD_ROUNDS} rounds` : ''})`,
    '',
    "The floors are a bare node:http hello-world and a bare Hono hello-world on @hono/node-server (`scripts/bench-hello.ts`, an 11-byte text answer; the Hono one also serves the API reference page with the same bytes and headers, the floor of that route), measured in turn with the platform's routes so that drift falls on all alike. Ratios are to bare Hono at the same number of connections: its req/s divided into the row's, and the row's server CPU per request divided into its own (both mean \"fraction of the floor\", higher is better). Server CPU: what the server process used during the measurement, all threads, divided by the requests answered. `/api/v1/docs` (the API reference page, 2.4 KB of HTML with a long Content-Security-Policy) is the one public route that touches no database; `/api/v1/plans` reads the database. The signed-in route is one user's bearer token listing their team organization's 3 workspaces; its database round trips are the transactions PostgreSQL counted per request, warm-up and background work included.",
    '',
    '| server | route | connections | req/s | ÷ bare Hono | p50 | p99 | server CPU / request | bare Hono CPU ÷ this | non-2xx | errors | DB round trips / request |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...r.phases.map(row),
    '',
    'Targets (issue #20) in this run:',
    '',
    `- Unauthenticated routes ≥ 0.7× bare Hono req/s: ${unauth.map(({ p, x }) => `${p.route.slice(4)} at ${p.connections}: ${ratio(x)}`).join(', ')} — ${verdict(unauth.every(({ x }) => x >= 0.7))}. Against bare Hono serving the same page, \`/api/v1/docs\` is at ${docsToPage}.`,
    `- Signed-in \`GET …/workspaces\` at ${signedIn.connections} connections ≥ 0.3× bare Hono req/s: ${ratio(signedInRatio)} — ${verdict(signedInRatio >= 0.3)}; p99 ≤ 25 ms: ${ms(signedIn.measured.p99)} — ${verdict(signedIn.measured.p99 <= 25)}; server CPU per request ≤ 0.25 ms: ${signedInCpuMs.toFixed(3)} ms — ${verdict(signedInCpuMs <= 0.25)}; ${signedIn.roundTrips!.toFixed(2)} database round trips per request.`,
    '',
    `### The mixed workload (${s.BENCH_LOAD_CONNECTIONS} connections × ${s.BENCH_LOAD_SECONDS} s)`,
    '',
    `After ${s.BENCH_LOAD_WARMUP_SECONDS} s of warm-up; 1-minute load average before it ${r.mixedLoad.toFixed(2)}. Data made through the API: ${c.users} users, ${c.organizations} organizations, ${c.workspaces} workspaces (standard plan), ${c.groups} groups, ${c.projects} projects, ${c.memberships} cross-organization memberships (org member, workspace member, in a group). Each connection is one user walking through its requests in equal parts: \`GET /auth/me\`, \`GET /api/v1/organizations\`, \`GET …/organizations/{orgId}/workspaces\`, \`GET …/workspaces/{wsId}\`, \`GET /api/v1/workspaces/{wsId}/projects\` and the RFC 8693 exchange \`POST /oidc/{wsId}/token\` (access token → ID token). Latencies include every answer.`,
    '',
    '| server | requests | req/s | p50 | p99 | max | non-2xx | 5xx | errors | server CPU per request | CPU server / client |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    `| Hexabase, mixed workload | ${r.mixed.requests.toLocaleString('en')} | ${r.mixed.rps.toFixed(0)} | ${ms(r.mixed.p50)} | ${ms(r.mixed.p99)} | ${ms(r.mixed.max)} | ${r.mixed.non2xx} | ${r.mixed.status5xx} | ${r.mixed.errors} | ${mixedCpu.toFixed(2)} ms | ${r.mixed.serverCpu.toFixed(1)} s / ${r.mixed.loadCpu.toFixed(1)} s |`,
    '',
    `Target: p99 ≤ 100 ms. With a fixed number of connections each waiting for its answer, mean latency = connections ÷ throughput, so ${s.BENCH_LOAD_CONNECTIONS} connections under a p99 of 100 ms need well over ${Math.round(s.BENCH_LOAD_CONNECTIONS / 0.1).toLocaleString('en')} req/s: at most ${(100 / s.BENCH_LOAD_CONNECTIONS).toFixed(2)} ms of server CPU per request even with a core to itself. This run: ${mixedCpu.toFixed(2)} ms of server CPU and ${r.perRequestTx.toFixed(1)} database round trips (transactions, background work included) per request.`,
    '',
    ...FINDINGS,
    '',
    'Mean time per route inside the platform during the mixed run (its `http_request_duration_seconds`, scraped on `METRICS_PORT`), queueing included; `POST /events` is the event backbone delivering to a worker function in the same process (the reconcile tick), background work that shares the core:',
    '',
    '| route | requests | mean |',
    '|---|---|---|',
    ...[...r.routes]
      .filter(([, v]) => v.count > 0)
      .sort((a, b) => b[1].count - a[1].count)
      .map(([k, v]) => `| ${k} | ${v.count.toLocaleString('en')} | ${ms((v.sum / v.count) * 1000)} |`),
    '',
  ];
  if (s.BENCH_LOAD_NO_REPORT) console.log(lines.join('\n'));
  else appendReport(lines);
}
