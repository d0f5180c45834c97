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
  statSync,
  writeFileSync,
} from 'node:fs';
import { request } from 'node:http';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import * as z from 'zod';
import { createAuth } from '../shared/auth';
import { createPat } from '../shared/auth/pats';
import { createMemoryCache } from '../shared/cache';
import { parseEnv } from '../shared/env';
import { FINDINGS } from './bench-coldstart-findings';
import { freePort } from './bench-load-drive';
import { appendReport, benchOrganization, withBenchDatabase } from './bench-support';

/**
 * `npm run bench`, cold start part: spawn → first database-backed 200 of function bundles (dist/functions), each
 * run paired with a bare `node:http` hello-world measured the same way, the order rotating from run to run so
 * that the shared machine's drift falls on every case alike. Real PostgreSQL (a throwaway database), Redis and
 * NATS on 127.0.0.1, as a deployed function has them.
 */
const settings = z
  .object({
    BENCH_COLDSTART_RUNS: z.coerce.number().int().min(1).default(15),
    /** Where the bundles are; the default is this checkout's dist/functions, built first. */
    BENCH_COLDSTART_DIST: z.string().min(1).optional(),
    /** Extra node flags for the function processes (e.g. `--cpu-prof --cpu-prof-dir=/tmp/p`). */
    BENCH_COLDSTART_NODE_OPTIONS: z.string().default(''),
    /** Print the numbers without touching docs/benchmarks.md. */
    BENCH_COLDSTART_NO_REPORT: z.stringbool().default(false),
  })
  .parse(process.env);

const root = join(import.meta.dirname, '..');
const dist = settings.BENCH_COLDSTART_DIST
  ? resolve(settings.BENCH_COLDSTART_DIST)
  : join(root, 'dist', 'functions');
if (!settings.BENCH_COLDSTART_DIST)
  execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, stdio: 'inherit' });

type Case = { name: string; script: string; path: string; headers?: Record<string, string>; fn?: string };

/** Polls until `path` answers 200, as a load balancer's first request would; refused connections retry at once. */
async function firstOk(port: number, path: string, headers: Record<string, string>, child: ChildProcess) {
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error('the process exited before answering 200');
    const status = await new Promise<number>((done) => {
      const req = request({ host: '127.0.0.1', port, path, headers, agent: false }, (res) => {
        res.resume();
        res.once('end', () => done(res.statusCode ?? 0));
      });
      req.once('error', () => done(0));
      req.end();
    });
    if (status === 200) return;
    await sleep(status === 0 ? 1 : 5);
  }
}

/** One cold start: spawn → first 200, then SIGTERM and wait for the exit before the next case. */
async function coldStart(c: Case, env: Record<string, string>, logDir: string): Promise<number> {
  const port = await freePort();
  const out = openSync(join(logDir, `${c.name.replace(/\W+/g, '-')}.log`), 'a');
  const flags = c.fn ? settings.BENCH_COLDSTART_NODE_OPTIONS.split(/\s+/).filter(Boolean) : [];
  const started = performance.now();
  // cwd without node_modules: a bundle must carry everything it loads.
  const child = spawn(process.execPath, [...flags, c.script], {
    cwd: logDir,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const gone = new Promise((done) => child.once('close', done));
  try {
    await Promise.race([
      firstOk(port, c.path, c.headers ?? {}, child),
      sleep(30_000).then(() => Promise.reject(new Error(`${c.name}: no 200 within 30 s; see ${logDir}`))),
    ]);
    return performance.now() - started;
  } finally {
    child.kill('SIGTERM');
    await gone;
  }
}

/** Bundle sizes on disk: what the function loads at start (index.mjs and its static chunks) and all of it. */
function bundleBytes(name: string) {
  const dir = join(dist, name);
  const size = (f: string) => statSync(join(dir, f)).size;
  const entry = readFileSync(join(dir, 'index.mjs'), 'utf8');
  const statics = [...entry.matchAll(/(?:from|import)\s*"\.\/([^"]+\.mjs)"/g)].map((m) => m[1]!);
  const all = readdirSync(dir).filter((f) => f.endsWith('.mjs'));
  return {
    atStart: size('index.mjs') + [...new Set(statics)].reduce((sum, f) => sum + size(f), 0),
    all: all.reduce((sum, f) => sum + size(f), 0),
  };
}

/** index.mjs sizes at e43c1c9, before lazy loading, zod as a namespace and the budgets (one file per function). */
const BEFORE: Record<string, number> = {
  auth: 1_323_918,
  'dead-letters': 1_342_668,
  docs: 1_528_697,
  'key-rotation': 1_343_452,
  notifications: 1_550_950,
  oidc: 1_296_818,
  organizations: 1_320_087,
  plans: 1_272_656,
  projects: 1_311_850,
  provisioner: 1_491_446,
  relay: 1_420_252,
  workspaces: 1_458_784,
};

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

const logDir = mkdtempSync(join(tmpdir(), 'hexabase-bench-coldstart-'));
const floor = join(logDir, 'hello.mjs');
writeFileSync(
  floor,
  "import { createServer } from 'node:http';\n" +
    "createServer((_req, res) => res.end('ok')).listen(Number(process.env.PORT), '127.0.0.1');\n",
);
try {
  await withBenchDatabase(async (database, url) => {
    const kek = randomBytes(32).toString('base64');
    const auth = createAuth({
      env: parseEnv({ DATABASE_URL: url, HEXABASE_KEY_ENCRYPTION_KEY: kek }),
      db: database.db,
      cache: createMemoryCache(),
    });
    const { userId } = await benchOrganization(database.db);
    const pat = await createPat(auth.auth, { userId }, { name: 'bench' });
    const env: Record<string, string> = {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOST: '127.0.0.1',
      METRICS_PORT: '0',
      DATABASE_URL: url,
      REDIS_URL: 'redis://127.0.0.1:6379',
      REDIS_KEY_PREFIX: `bench:${randomBytes(4).toString('hex')}:`,
      NATS_URL: 'nats://127.0.0.1:4222',
      HEXABASE_KEY_ENCRYPTION_KEY: kek,
      HEXABASE_DATA_DIR: logDir,
      LOG_LEVEL: 'info',
    };
    const fn = (name: string) => join(dist, name, 'index.mjs');
    const cases: Case[] = [
      { name: 'bare node:http hello-world', script: floor, path: '/' },
      { name: 'plans: GET /api/v1/plans', script: fn('plans'), path: '/api/v1/plans', fn: 'plans' },
      {
        name: 'organizations: GET /api/v1/organizations (PAT)',
        script: fn('organizations'),
        path: '/api/v1/organizations',
        headers: { authorization: `Bearer ${pat.token}` },
        fn: 'organizations',
      },
    ];
    for (const c of cases) if (!existsSync(c.script)) throw new Error(`${c.script} is missing`);
    // One unmeasured round warms the file cache and PostgreSQL's, as a node that has pulled the image would be.
    for (const c of cases) await coldStart(c, env, logDir);
    const load = loadavg()[0]!;
    const times = new Map(cases.map((c) => [c.name, [] as number[]]));
    for (let run = 0; run < settings.BENCH_COLDSTART_RUNS; run++) {
      for (let i = 0; i < cases.length; i++) {
        const c = cases[(run + i) % cases.length]!;
        times.get(c.name)!.push(await coldStart(c, env, logDir));
        await sleep(100);
      }
    }
    report(cases, times, load);
  });
} finally {
  rmSync(logDir, { recursive: true, force: true });
}

function report(cases: Case[], times: Map<string, number[]>, load: number) {
  const floorRuns = times.get(cases[0]!.name)!;
  const floorMedian = median(floorRuns);
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  const kb = (bytes: number) => `${(bytes / 1000).toFixed(0)} KB`;
  const rows = cases.map((c) => {
    const runs = times.get(c.name)!;
    const paired = median(runs.map((t, i) => t / floorRuns[i]!));
    const ratio = c.fn ? `${(median(runs) / floorMedian).toFixed(2)}× / ${paired.toFixed(2)}×` : '1×';
    const size = c.fn ? kb(bundleBytes(c.fn).atStart) : '—';
    return `| ${c.name} | ${size} | ${ms(median(runs))} | ${ms(Math.min(...runs))}–${ms(Math.max(...runs))} | ${ratio} |`;
  });
  const sizes = readdirSync(dist)
    .filter((name) => existsSync(join(dist, name, 'index.mjs')))
    .map((name) => {
      const now = bundleBytes(name);
      const budget = ['provisioner', 'workspaces'].includes(name) ? '1000 KB' : '600 KB';
      const met = now.atStart <= (budget === '600 KB' ? 600_000 : 1_000_000) ? 'yes' : '**no**';
      return `| ${name} | ${BEFORE[name] ? kb(BEFORE[name]) : '—'} | ${kb(now.atStart)} | ${kb(now.all)} | ${budget} | ${met} |`;
    });
  const lines = [
    '',
    '## Cold start and bundle sizes',
    '',
    `Run by \`npm run bench\` (\`scripts/bench-coldstart.ts\`) on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${cpus().length} cores shared with other work (1-minute load average ${load.toFixed(1)} at the start). Each case is a new \`node\` process on a bundle of \`dist/functions\` (started from a directory without node_modules), polled from spawn until the route answers 200; the floor is a bare \`node:http\` hello-world measured the same way. ${settings.BENCH_COLDSTART_RUNS} runs of the three cases taking turns in rotating order, after one unmeasured round; PostgreSQL (a throwaway migrated database), Redis and NATS on 127.0.0.1 with their URLs set, as a deployed function has them; the organizations case authenticates with a personal access token. Target: ≤ 1.3× the floor.`,
    '',
    '| process | loads at start | median | range | ratio to the floor: of medians / median of paired runs |',
    '|---|---|---|---|---|',
    ...rows,
    '',
    "Bundle sizes: before (one file, everything loaded at start) and now (what a cold start loads: index.mjs and its static chunks; and everything, lazy chunks included). The budget (`esbuild.config.mjs`, on what loads at start) is 600 KB for functions that talk to no cluster and 1 MB for the two that do; a function over its target has its own budget just above today's size so it cannot grow unnoticed.",
    '',
    '| function | before | loads at start | with lazy chunks | target | met |',
    '|---|---|---|---|---|---|',
    ...sizes,
    '',
    ...FINDINGS,
    '',
  ];
  if (settings.BENCH_COLDSTART_NO_REPORT) console.log(lines.join('\n'));
  else appendReport(lines);
}
