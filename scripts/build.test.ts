import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { findMigrationsDir, migrateDatabase, openPostgres } from '../shared/db';
import { routeTable } from '../shared/routes/table';
import { PLATFORM_CHART, VALUE_SETS } from '../shared/testing/chart';
import { createEmptyDatabase, createTestDatabase, type TestDatabase } from '../shared/testing/db';
import { helmTemplate } from '../shared/testing/helm';
import { json } from '../shared/testing/http';
import { startOtlpReceiver } from '../shared/testing/otlp';
import { childEnv, spawnProcess } from '../shared/testing/process';
import { TEST_SERVICES } from '../shared/testing/services';

const root = join(import.meta.dirname, '..');

type PodTemplated = { template?: { spec: { containers: { command: string[] }[] } } };

describe('npm run build', () => {
  let output = '';
  let testDb: TestDatabase;
  // Bundling every function takes from seconds to minutes on this shared machine: the hook waits for the build
  // to exit, with a safety net wider than vitest's default.
  beforeAll(async () => {
    output = execFileSync(process.execPath, ['esbuild.config.mjs'], { cwd: root, encoding: 'utf8' });
    testDb = await createTestDatabase();
  }, 600_000);
  afterAll(() => testDb?.drop());

  it('prints one self-contained bundle per function, each within its budget', () => {
    for (const { name } of routeTable) {
      const line = output.split('\n').find((l) => l.startsWith(`✓ ${name} `));
      expect(line, `${name} within its budget`).toBeDefined();
      const [, loaded, budget, notMet] =
        line?.match(/ ([\d.]+) KB at start of (\d+) KB( \(target \d+ KB: not met\))?/) ?? [];
      expect(Number(loaded)).toBeLessThanOrEqual(Number(budget));
      // 1 MB for the functions that talk to the cluster, 600 KB for the others (or an exception the build names).
      if (!notMet)
        expect(Number(budget)).toBe(
          ['provisioner', 'workspaces', 'usage-sampler'].includes(name) ? 1000 : 600,
        );
      const file = join(root, 'dist/functions', name, 'index.mjs');
      expect(statSync(file).size).toBeLessThanOrEqual(Number(budget) * 1000);
      expect(statSync(join(root, 'dist/functions', name, 'index.mjs.map')).isFile()).toBe(true);
      expect(statSync(join(root, 'dist/functions', name, 'migrations/meta/_journal.json')).isFile()).toBe(
        true,
      );
    }
  });

  it('starts a bundle on PORT, serves through it and drains on SIGTERM', async () => {
    const otlp = await startOtlpReceiver();
    // Run from a directory without node_modules so only the bundle's own code is available.
    const p = spawnProcess(
      process.execPath,
      [join(root, 'dist/functions/plans/index.mjs')],
      childEnv({
        PORT: '0',
        DATABASE_URL: testDb.url,
        HEXABASE_MIGRATE_ON_START: 'true',
        REDIS_URL: TEST_SERVICES.redisUrl,
        OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
      }),
      '/',
    );
    const { port } = await p.waitForLog((l) => String(l.msg).includes('listening'));
    const res = await fetch(`http://127.0.0.1:${port}/api/v1/plans`);
    expect(res.status).toBe(200);
    expect((await json(res)).items).toHaveLength(3);
    // The Redis client is a lazy chunk of the bundle: the readiness check loads it and reaches Redis.
    const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
    expect(await json(ready)).toEqual({ status: 'ok', checks: { database: 'ok', redis: 'ok' } });
    // Metrics on their own listener only.
    expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(404);
    const { metricsPort } = await p.waitForLog((l) => typeof l.metricsPort === 'number');
    const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(metrics).toContain('function="plans",method="GET",route="/api/v1/plans",status="200"');
    expect(metrics).toContain('process_resident_memory_bytes');
    expect(await p.stop('SIGTERM')).toBe(0);
    expect(p.stdout.some((l) => l.includes('"msg":"stopped"'))).toBe(true);
    // The OpenTelemetry SDK and exporter are a lazy chunk: it loaded, and the shutdown flushed its spans.
    await otlp.close();
    expect(otlp.spans).toContainEqual(
      expect.objectContaining({ service: 'plans', name: 'GET /api/v1/plans', kind: 2 }),
    );
  });

  it('lays dist/ out as the Dockerfile does, where every entry point the manifests name exists and starts alone', async () => {
    // The runtime stage: what it copies from the build stage (WORKDIR /src, `COPY . .`: /src is this checkout).
    const runtime = readFileSync(join(root, 'Dockerfile'), 'utf8')
      .split(/^FROM /m)
      .at(-1)!;
    const copies = [...runtime.matchAll(/^COPY --from=build(?: --chown=\S+)? (\S+) (\S+)$/gm)].map((m) => ({
      from: m[1]!,
      to: m[2]!,
    }));
    expect(copies).toEqual([
      { from: '/src/dist/functions', to: '/app/dist/functions' },
      { from: '/src/dist/migrate', to: '/app/dist/migrate' },
    ]);
    expect(runtime.match(/^COPY /gm)).toHaveLength(copies.length);
    expect(runtime).toMatch(/^USER [1-9]\d*:[1-9]\d*$/m);
    const image = mkdtempSync(join(tmpdir(), 'hexabase-image-'));
    try {
      for (const c of copies)
        cpSync(join(root, c.from.replace(/^\/src\//, '')), join(image, c.to), { recursive: true });
      const services = parseAllDocuments(readFileSync(join(root, 'knative/functions.yaml'), 'utf8'))
        .map((d) => d.toJS())
        .filter((d) => d?.kind === 'Service' && String(d.apiVersion).startsWith('serving.knative.dev/'));
      expect(services).toHaveLength(routeTable.length);
      // The chart in both modes: Knative Services, or Deployments; and the migrations Job.
      const chart = (
        await Promise.all(
          [{}, { knative: { enabled: false } }].map((mode) =>
            helmTemplate(PLATFORM_CHART, { values: [VALUE_SETS['Knative with the bundled services'], mode] }),
          ),
        )
      )
        .flat()
        .filter((d) => ['Service', 'Deployment', 'Job'].includes(String(d.kind)) && d.spec);
      const workloads = [...services, ...chart] as { metadata: { name: string }; spec: PodTemplated }[];
      const pods = workloads.filter((w) => w.spec.template?.spec?.containers);
      expect(pods.length).toBe(routeTable.length * 3 + 2); // + the migrations Job of each mode
      for (const w of pods)
        for (const c of w.spec.template!.spec.containers) {
          const [bin, entry, ...rest] = c.command;
          expect(bin, w.metadata.name).toBe('node'); // the runtime image's own Node, on its PATH
          expect(rest).toEqual([]);
          expect(existsSync(join(image, entry!)), `${w.metadata.name}: ${entry}`).toBe(true);
        }
      // Outside this checkout no node_modules is anywhere above the bundles: they run on what they carry. A
      // function on a new database waits unready until the migrations Job has run.
      const empty = await createEmptyDatabase();
      try {
        const p = spawnProcess(
          process.execPath,
          [join(image, 'app/dist/functions/plans/index.mjs')],
          childEnv({ PORT: '0', DATABASE_URL: empty.url }),
          image,
        );
        const { port } = await p.waitForLog((l) => String(l.msg).includes('listening'));
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(503);
        const job = spawnSync(process.execPath, [join(image, 'app/dist/migrate/index.mjs')], {
          cwd: image,
          env: childEnv({ DATABASE_URL: empty.url }),
          encoding: 'utf8',
        });
        expect(job.status, job.stderr).toBe(0);
        expect(job.stderr).toContain('migrations applied');
        expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
        expect((await fetch(`http://127.0.0.1:${port}/api/v1/plans`)).status).toBe(200);
        expect(await p.stop('SIGTERM')).toBe(0);
        // Without DATABASE_URL the Job has nothing to migrate (no embedded database in a build): it says so, exit 1.
        const bare = spawnSync(process.execPath, [join(image, 'app/dist/migrate/index.mjs')], {
          cwd: image,
          env: childEnv({}),
          encoding: 'utf8',
        });
        expect(bare.status).toBe(1);
        expect(bare.stderr).toContain('set DATABASE_URL');
      } finally {
        await empty.drop();
      }
    } finally {
      rmSync(image, { recursive: true, force: true });
    }
  });

  it('stays unready on a database that is not migrated to its version, and becomes ready once it is', async () => {
    const empty = await createEmptyDatabase();
    try {
      const p = spawnProcess(
        process.execPath,
        [join(root, 'dist/functions/plans/index.mjs')],
        childEnv({ PORT: '0', DATABASE_URL: empty.url }),
        '/',
      );
      const { port } = await p.waitForLog((l) => String(l.msg).includes('listening'));
      for (let i = 0; i < 3; i++) {
        const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
        expect(ready.status).toBe(503);
        expect((await json(ready)).checks).toEqual({ database: 'not migrated' });
      }
      const migrator = await openPostgres(empty.url, { poolMax: 1 });
      await migrateDatabase(migrator, { url: empty.url, folder: findMigrationsDir() });
      await migrator.close();
      const ready = await fetch(`http://127.0.0.1:${port}/readyz`);
      expect(ready.status).toBe(200);
      expect(await p.stop('SIGTERM')).toBe(0);
    } finally {
      await empty.drop();
    }
  });
});
