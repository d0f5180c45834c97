import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json } from '../shared/testing/http';
import { childEnv, type Spawned, spawnProcess } from '../shared/testing/process';

const root = join(import.meta.dirname, '..');

describe('hxb CLI against a running Hexabase', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-cli-'));
  const configDir = mkdtempSync(join(tmpdir(), 'hexabase-cli-config-'));
  let server: Spawned;
  let base = '';
  // Asynchronous on purpose: a synchronous spawn would stop this process from draining the server's log pipe.
  const hxb = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'scripts/hxb.mjs'), ...args],
        { env: childEnv({ HEXABASE_CONFIG_DIR: configDir }), cwd: root, timeout: 20_000 },
        (err, stdout, stderr) =>
          resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });

  beforeAll(async () => {
    server = spawnProcess(
      process.execPath,
      ['--import', 'tsx', 'scripts/start.ts'],
      childEnv({ PORT: '0', HEXABASE_DATA_DIR: dataDir, LOG_LEVEL: 'info' }),
      root,
    );
    const { port } = await server.waitForLog((l) => typeof l.port === 'number', 60_000);
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in with a personal access token and manages workspaces', async () => {
    expect((await hxb('orgs', 'list')).status).toBe(4); // not signed in yet
    const session = await json(
      await fetch(`${base}/auth/login/dev`, {
        method: 'POST',
        body: JSON.stringify({ email: 'cli@example.com' }),
        headers: { 'content-type': 'application/json' },
      }),
    );
    const pat = await json(
      await fetch(`${base}/auth/tokens`, {
        method: 'POST',
        body: JSON.stringify({ name: 'cli' }),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${session.accessToken}` },
      }),
    );
    const login = await hxb('login', '--token', pat.token, '--url', base);
    expect(login.status, login.stderr).toBe(0);
    expect(login.stdout).toContain('cli@example.com');
    expect(statSync(join(configDir, 'config.json')).mode & 0o777).toBe(0o600);

    const orgs = JSON.parse((await hxb('orgs', 'list', '--json')).stdout);
    expect(orgs).toHaveLength(1);
    const orgId = orgs[0].id;
    const created = await hxb('workspaces', 'create', 'dev', '--org', orgId, '--detach', '--json');
    expect(created.status, created.stderr).toBe(0);
    const { workspaceId } = JSON.parse(created.stdout);
    const list = JSON.parse((await hxb('workspaces', 'list', '--org', orgId, '--json')).stdout);
    expect(list.map((w: { id: string }) => w.id)).toEqual([workspaceId]);
    const human = (await hxb('workspaces', 'list', '--org', orgId)).stdout;
    expect(human).toMatch(/^ID\s+NAME\s+PLANID\s+STATUS/);

    // Not provisioned (no host cluster here): a clear message and a non-zero exit.
    const kc = await hxb('kubeconfig', workspaceId);
    expect(kc.status).toBe(1);
    expect(kc.stderr).toMatch(/409: .*not running yet/);
    expect((await hxb('frobnicate')).status).toBe(2);
    expect((await hxb('workspaces', 'delete', workspaceId, '--org', orgId)).status).toBe(0);
  });
});
