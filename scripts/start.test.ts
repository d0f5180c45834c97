import { mkdtempSync, rmSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openPglite } from '../shared/db';
import { plans } from '../shared/db/schema';
import { json } from '../shared/testing/http';
import { childEnv, spawnProcess } from '../shared/testing/process';

const root = join(import.meta.dirname, '..');
const start = (env: Record<string, string>) =>
  spawnProcess(process.execPath, ['--import', 'tsx', 'scripts/start.ts'], childEnv(env), root);

const listening = (l: Record<string, unknown>) =>
  typeof l.port === 'number' && String(l.msg).includes('listening');
const metricsListening = (l: Record<string, unknown>) => typeof l.metricsPort === 'number';

describe('npm start (local server)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-start-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  // Two starts of the whole platform: no budget but the waits on their log lines (vitest's timeout is only a
  // safety net against hangs, so this one is wide enough for a busy 2-core machine).
  it('runs on embedded defaults, keeps data across restarts and stops cleanly on SIGTERM', {
    timeout: 600_000,
  }, async () => {
    const env = { PORT: '0', HEXABASE_DATA_DIR: dataDir, LOG_LEVEL: 'info' };
    const first = start(env);
    const { port } = await first.waitForLog(listening);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const listed = await json(await fetch(`${base}/api/v1/plans`));
    expect(listed.items.map((p: { id: string }) => p.id)).toEqual(['free', 'standard', 'premium-dedicated']);
    const broken = await fetch(`${base}/api/v1/plans`, {
      method: 'POST',
      body: '{oops',
      headers: { 'content-type': 'application/json' },
    });
    expect(broken.status).toBe(400);
    expect(broken.headers.get('content-type')).toBe('application/problem+json');
    expect((await json(await fetch(`${base}/api/v1/openapi.json`))).paths['/api/v1/plans']).toBeDefined();
    // Dev login is on under npm start, and the session it opens works.
    const login = await fetch(`${base}/auth/login/dev`, {
      method: 'POST',
      body: JSON.stringify({ email: 'local@example.com' }),
      headers: { 'content-type': 'application/json' },
    });
    expect(login.status).toBe(200);
    const { accessToken } = await json(login);
    const me = await fetch(`${base}/auth/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect((await json(me)).email).toBe('local@example.com');

    // Metrics: never on the public port; every function's, the process's and the events' on METRICS_PORT.
    expect((await fetch(`${base}/metrics`)).status).toBe(404);
    const { metricsPort } = await first.waitForLog(metricsListening);
    expect(metricsPort).not.toBe(port);
    const scraped = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(scraped.status).toBe(200);
    const metrics = await scraped.text();
    expect(metrics).toContain('function="plans",method="GET",route="/api/v1/plans",status="200"');
    expect(metrics).toContain('function="auth",method="GET",route="/auth/me",status="200"');
    expect(metrics).toContain('process_cpu_user_seconds_total');
    expect(metrics).toContain('hexabase_events_published_total');
    expect(await first.stop()).toBe(0);

    // Write through the same data directory while the server is down; the next start must see it.
    const pglite = await openPglite(join(dataDir, 'pglite'));
    await pglite.db.insert(plans).values({
      id: 'persisted',
      name: 'Persisted',
      price: 1,
      currency: 'usd',
      resourceLimits: {},
      maxProjects: 1,
      maxMembers: 1,
      sortOrder: 9,
    });
    await pglite.close();

    const second = start(env);
    const again = await second.waitForLog(listening);
    const relisted = await json(await fetch(`http://127.0.0.1:${again.port}/api/v1/plans`));
    expect(relisted.items.map((p: { id: string }) => p.id)).toContain('persisted');
    expect(await second.stop()).toBe(0);
  });

  it('ends with one clear line and a non-zero code on an invalid DATABASE_URL', async () => {
    const p = start({ DATABASE_URL: 'nonsense', HEXABASE_DATA_DIR: dataDir });
    const code = await p.exited;
    expect(code).not.toBe(0);
    const lines = p.stderr.filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hexabase: invalid configuration: DATABASE_URL: /);
    expect(p.stdout.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('ends with one clear line when PostgreSQL cannot be reached', async () => {
    const p = start({ DATABASE_URL: 'postgres://postgres@127.0.0.1:1/hexabase', HEXABASE_DATA_DIR: dataDir });
    expect(await p.exited).toBe(1);
    const lines = p.stderr.filter((l) => l.trim() !== '');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^hexabase: cannot connect to PostgreSQL at 127\.0\.0\.1:1\/hexabase/);
  });

  it('ends with one clear line when METRICS_PORT is taken', async () => {
    const taken = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    try {
      const { port } = taken.address() as AddressInfo;
      const p = start({
        PORT: '0',
        METRICS_PORT: String(port),
        HOST: '127.0.0.1',
        HEXABASE_DATA_DIR: dataDir,
      });
      expect(await p.exited).toBe(1);
      const lines = p.stderr.filter((l) => l.trim() !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^hexabase: cannot listen on METRICS_PORT: .*EADDRINUSE/);
    } finally {
      taken.close();
    }
  });
});
