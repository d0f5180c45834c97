import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Redis } from 'ioredis';
import * as z from 'zod';
import { freePort } from './bench-load-drive';
import { measureWorkspaces } from './bench-memory-workspaces';
import { appendReport, withBenchDatabase } from './bench-support';

/**
 * `npm run bench`, memory part:
 *
 * 1. Idle memory of each function as it is deployed — dist/functions/<name>/index.mjs alone in its process, on
 *    PostgreSQL, Redis and NATS — once it answers /readyz and has settled, beside a bare node:http process
 *    measured the same way. RSS from /proc, the V8 heap from the function's own metrics.
 * 2. The control plane's memory per workspace: see bench-memory-workspaces.ts.
 */
const settings = z
  .object({
    BENCH_MEMORY_RUNS: z.coerce.number().int().min(1).default(3),
    BENCH_MEMORY_SETTLE_SECONDS: z.coerce.number().min(0).default(5),
    /** Workspace counts at which the control plane is measured, after a warm-up of 20. */
    BENCH_MEMORY_WORKSPACES: z
      .string()
      .default('100,200,400')
      .transform((s) => s.split(',').map((n) => Number(n.trim()))),
    /** Where the bundles are; the default is this checkout's dist/functions, built first. */
    BENCH_MEMORY_DIST: z.string().min(1).optional(),
    /** Print the figures without touching docs/benchmarks.md. */
    BENCH_MEMORY_NO_REPORT: z.stringbool().default(false),
  })
  .parse(process.env);

const root = join(import.meta.dirname, '..');
const dist = settings.BENCH_MEMORY_DIST
  ? resolve(settings.BENCH_MEMORY_DIST)
  : join(root, 'dist', 'functions');
if (!settings.BENCH_MEMORY_DIST)
  execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, stdio: 'inherit' });

// A full collection before each reading of this process's heap (part 2), without a flag on the command line.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

type Idle = { rss: number; heapUsed: number; heapTotal: number; external: number };

const status = (port: number, path: string) =>
  fetch(`http://127.0.0.1:${port}${path}`).then(
    async (r) => ({ status: r.status, text: await r.text() }),
    () => ({ status: 0, text: '' }),
  );

function rssBytes(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').match(/^VmRSS:\s+(\d+) kB$/m);
  return Number(line?.[1] ?? 0) * 1024;
}

/** The process's V8 heap: from its Prometheus metrics (a function) or its own JSON (the floor). */
async function heapOf(ports: { port: number; metricsPort?: number }): Promise<Omit<Idle, 'rss'>> {
  if (ports.metricsPort === undefined) {
    const m = JSON.parse((await status(ports.port, '/memory')).text);
    return { heapUsed: m.heapUsed, heapTotal: m.heapTotal, external: m.external };
  }
  const text = (await status(ports.metricsPort, '/metrics')).text;
  const metric = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
  return {
    heapUsed: metric('nodejs_heap_size_used_bytes'),
    heapTotal: metric('nodejs_heap_size_total_bytes'),
    external: metric('nodejs_external_memory_bytes'),
  };
}

/** One process: spawn → /readyz 200 → settle → read its memory → SIGTERM. */
async function idle(script: string, env: Record<string, string>, logDir: string, fn: boolean): Promise<Idle> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const out = openSync(join(logDir, `${script.replace(/\W+/g, '-')}.log`), 'a');
  // cwd without node_modules: a bundle must carry everything it loads.
  const child: ChildProcess = spawn(process.execPath, [script], {
    cwd: logDir,
    env: { ...env, PORT: String(port), METRICS_PORT: String(metricsPort) },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const gone = new Promise((done) => child.once('close', done));
  try {
    const deadline = Date.now() + 30_000;
    while ((await status(port, '/readyz')).status !== 200) {
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`${script} was not ready within 30 s; see ${logDir}`);
      await sleep(50);
    }
    await sleep(settings.BENCH_MEMORY_SETTLE_SECONDS * 1000);
    const heap = await heapOf(fn ? { port, metricsPort } : { port });
    return { rss: rssBytes(child.pid!), ...heap };
  } finally {
    child.kill('SIGTERM');
    await gone;
  }
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const mb = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

const logDir = mkdtempSync(join(tmpdir(), 'hexabase-bench-memory-'));
const floor = join(logDir, 'hello.mjs');
writeFileSync(
  floor,
  "import { createServer } from 'node:http';\n" +
    'createServer((req, res) => res.end(req.url === "/memory" ? JSON.stringify(process.memoryUsage()) : "ok"))' +
    ".listen(Number(process.env.PORT), '127.0.0.1');\n",
);
try {
  await withBenchDatabase(async (database, url) => {
    const prefix = `benchmem:${randomBytes(4).toString('hex')}:`;
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOST: '127.0.0.1',
      DATABASE_URL: url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: prefix,
      NATS_URL: 'nats://127.0.0.1:4222',
      HEXABASE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      HEXABASE_DATA_DIR: logDir,
      LOG_LEVEL: 'info',
    };
    const names = readdirSync(dist).filter((n) => existsSync(join(dist, n, 'index.mjs')));
    const cases = [
      { name: 'bare node:http hello-world', script: floor, fn: false },
      ...names.map((name) => ({ name, script: join(dist, name, 'index.mjs'), fn: true })),
    ];
    const load = loadavg();
    const runs = new Map(cases.map((c) => [c.name, [] as Idle[]]));
    for (let run = 0; run < settings.BENCH_MEMORY_RUNS; run++)
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(run + i) % cases.length]!;
        runs.get(c.name)!.push(await idle(c.script, env, logDir, c.fn));
      }
    const redis = new Redis(env.REDIS_URL!);
    try {
      const perWorkspace = await measureWorkspaces({ database, env, redis, prefix, gc }, settings);
      report(cases, runs, perWorkspace, load);
    } finally {
      redis.disconnect();
    }
  });
} finally {
  rmSync(logDir, { recursive: true, force: true });
}

function report(
  cases: { name: string }[],
  runs: Map<string, Idle[]>,
  perWorkspace: Awaited<ReturnType<typeof measureWorkspaces>>,
  load: number[],
) {
  const of = (name: string, k: keyof Idle) => median(runs.get(name)!.map((r) => r[k]));
  const floorRss = of(cases[0]!.name, 'rss');
  const cpu = cpus();
  const lines = [
    '',
    '## Memory: idle function processes and the control plane per workspace',
    '',
    `Run by \`npm run bench\` (\`scripts/bench-memory.ts\`) on ${new Date().toISOString().slice(0, 10)}: ${cpu[0]?.model.trim()} (${cpu.length} cores), ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Linux ${release()}, Node ${process.version}; load average at the start ${load.map((l) => l.toFixed(2)).join(' / ')}.`,
    '',
    `Each function as deployed: its bundle (\`dist/functions/<name>/index.mjs\`, built by \`npm run build\`) alone in a process with PostgreSQL, Redis and NATS on 127.0.0.1, \`LOG_LEVEL=info\`, measured ${settings.BENCH_MEMORY_SETTLE_SECONDS} s after its \`/readyz\` first answered 200, without a request since; the median of ${settings.BENCH_MEMORY_RUNS} starts, in rotating order. RSS is the process's resident memory (/proc); the V8 heap figures are the function's own \`nodejs_heap_size_*\` metrics (the floor's from \`process.memoryUsage()\`). A bundle loads what it needs at start; what it loads lazily on first use (e.g. the Kubernetes client, the OpenAPI generator) is not in these figures.`,
    '',
    '| process | RSS | over the floor | V8 heap used | V8 heap total | external |',
    '|---|---|---|---|---|---|',
    ...cases.map(
      ({ name }) =>
        `| ${name} | ${mb(of(name, 'rss'))} | ${name === cases[0]!.name ? '' : mb(of(name, 'rss') - floorRss)} | ${mb(of(name, 'heapUsed'))} | ${mb(of(name, 'heapTotal'))} | ${mb(of(name, 'external'))} |`,
    ),
    '',
    ...perWorkspace.lines,
    '',
  ];
  if (settings.BENCH_MEMORY_NO_REPORT) console.log(lines.join('\n'));
  else appendReport(lines);
}
