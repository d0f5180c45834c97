import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, portOpen, waitFor } from './kube/supervisor';

/**
 * A private nats-server with JetStream (the Debian binary that ensure-services installs), so a test can stop and
 * restart its broker without disturbing the shared one. Storage survives restarts, like a real deployment's.
 */
export async function startPrivateNats() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'hexabase-nats-'));
  const bin = ['/usr/sbin/nats-server', '/usr/bin/nats-server'].find((b) => existsSync(b)) ?? 'nats-server';
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(bin, ['-a', '127.0.0.1', '-p', String(port), '-js', '-sd', dir], { stdio: 'ignore' });
    await waitFor('nats-server', async () => ((await portOpen(port)) ? true : undefined), {
      timeoutMs: 10_000,
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  };
  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return { url: `nats://127.0.0.1:${port}`, start, stop };
}
