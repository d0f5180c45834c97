import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBrowser, hiddenFields } from '../shared/testing/browser';
import { json } from '../shared/testing/http';
import { childEnv, type Spawned, spawnProcess } from '../shared/testing/process';

const root = join(import.meta.dirname, '..');

describe('hxb CLI against a running Hexabase', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'hexabase-cli-'));
  const configDir = mkdtempSync(join(tmpdir(), 'hexabase-cli-config-'));
  let server: Spawned;
  let base = '';
  // Asynchronous on purpose: a synchronous spawn would stop this process from draining the server's log pipe.
  // No time limit: a slow machine is not a failure, and vitest's testTimeout catches a hang.
  const hxb = (...args: string[]) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [join(root, 'scripts/hxb.mjs'), ...args],
        { env: childEnv({ HEXABASE_CONFIG_DIR: configDir }), cwd: root },
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
    const { port } = await server.waitForLog((l) => typeof l.port === 'number');
    base = `http://127.0.0.1:${port}`;
  });
  afterAll(async () => {
    await server?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('signs in through the browser (loopback redirect), and logs out revoking the token it minted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-cli-browser-'));
    const env = childEnv({ HEXABASE_CONFIG_DIR: dir });
    const login = spawn(
      process.execPath,
      [join(root, 'scripts/hxb.mjs'), 'login', '--url', base, '--no-browser'],
      {
        env,
        cwd: root,
      },
    );
    let stderr = '';
    const link = await new Promise<string>((resolve, reject) => {
      login.stderr.on('data', (d) => {
        stderr += d;
        const m = stderr.match(/(http:\/\/\S+\/auth\/cli\/authorize\S+)/);
        if (m) resolve(m[1]!);
      });
      login.on('exit', () => reject(new Error(`hxb login ended early: ${stderr}`)));
    });
    const exited = new Promise<number | null>((r) => login.on('exit', r));
    let stdout = '';
    login.stdout.on('data', (d) => {
      stdout += d;
    });

    // The person at the browser: development sign-in form, then Allow.
    const browser = createBrowser({
      app: { request: () => new Response() },
      appOrigin: 'app:',
      external: fetch,
    });
    const signInPage = await (await browser.send(new URL(link))).text();
    const signedIn = await browser.send(new URL('/auth/login/dev', base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hiddenFields(signInPage), email: 'browser@example.com' }).toString(),
    });
    expect(signedIn.status).toBe(303);
    const consent = await (await browser.send(new URL(signedIn.headers.get('location')!, base))).text();
    expect(consent).toContain('browser@example.com');
    const allowed = await browser.send(new URL('/auth/cli/authorize', base), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ ...hiddenFields(consent), decision: 'allow' }).toString(),
    });
    expect(allowed.status).toBe(303);
    const landed = await browser.send(new URL(allowed.headers.get('location')!));
    expect(await landed.text()).toContain('Signed in to the Hexabase CLI');

    expect(await exited, stderr).toBe(0);
    expect(stdout).toContain('as browser@example.com');
    const stored = JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8'));
    expect(stored.tokenId).toMatch(/^pat-/);
    const asCli = { headers: { authorization: `Bearer ${stored.token}` } };
    expect((await fetch(`${base}/auth/me`, asCli)).status).toBe(200);

    const logout = await promisify(execFile)(process.execPath, [join(root, 'scripts/hxb.mjs'), 'logout'], {
      env,
      cwd: root,
    });
    expect(logout.stdout).toContain('Signed out');
    expect((await fetch(`${base}/auth/me`, asCli)).status).toBe(401);
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
  });

  it('fails with exit code 4 when the person denies the CLI in the browser', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-cli-deny-'));
    const login = spawn(
      process.execPath,
      [join(root, 'scripts/hxb.mjs'), 'login', '--url', base, '--no-browser'],
      {
        env: childEnv({ HEXABASE_CONFIG_DIR: dir }),
        cwd: root,
      },
    );
    let stderr = '';
    login.stderr.on('data', (d) => {
      stderr += d;
    });
    const exited = new Promise<number | null>((r) => login.on('exit', r));
    while (!/authorize\S+/.test(stderr)) await new Promise((r) => setTimeout(r, 50));
    const link = new URL(stderr.match(/(http:\/\/\S+\/auth\/cli\/authorize\S+)/)![1]!);
    // The loopback answer a denial produces, straight to the CLI.
    const back = new URL(link.searchParams.get('redirectUri')!);
    back.searchParams.set('state', link.searchParams.get('state')!);
    back.searchParams.set('error', 'access_denied');
    await fetch(back);
    expect(await exited).toBe(4);
    expect(stderr).toContain('denied');
    expect(existsSync(join(dir, 'config.json'))).toBe(false);
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
    // By name, too; without a host cluster the deletion stays pending, so do not follow it.
    const byName = await hxb('kubeconfig', 'dev');
    expect(byName.stderr).toMatch(/409: .*not running yet/);
    expect((await hxb('kubeconfig', 'no-such-workspace')).status).toBe(5);
    const deleted = await hxb('workspaces', 'delete', 'dev', '--org', orgId, '--detach', '--json');
    expect(deleted.status, deleted.stderr).toBe(0);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ workspaceId });
  });
});
