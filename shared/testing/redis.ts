import { type ChildProcess, spawn } from 'node:child_process';
import { freePort, portOpen, waitFor } from './kube/supervisor';

/**
 * A private redis-server (the Debian binary ensure-services installs), so a test can take its cache away and bring
 * it back without disturbing the shared one. Nothing is persisted: a restart comes back empty, as Redis without
 * persistence does in a deployment.
 */
export async function startPrivateRedis() {
  const port = await freePort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    await waitFor('redis-server', async () => ((await portOpen(port)) ? true : undefined), {
      timeoutMs: 10_000,
    });
  };
  const stop = async () => {
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGKILL');
    await exited;
  };
  await start();
  process.once('exit', () => child?.kill('SIGKILL'));
  return { url: `redis://127.0.0.1:${port}`, start, stop };
}
