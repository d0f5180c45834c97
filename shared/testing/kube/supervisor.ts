import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, createWriteStream, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect as netConnect } from 'node:net';
import { join } from 'node:path';

/**
 * Owns every control-plane process a test run starts. Three layers make sure none outlives the run:
 * stop() on the normal path, a synchronous SIGKILL on process exit, and a detached watchdog that kills the
 * recorded pids once the owning process is gone (even after SIGKILL of the test runner).
 */
export class Supervisor {
  private readonly children = new Map<number, { name: string; child: ChildProcess }>();
  private readonly pidFile: string;

  constructor(readonly dir: string) {
    mkdirSync(join(dir, 'logs'), { recursive: true });
    this.pidFile = join(dir, 'pids');
    writeFileSync(this.pidFile, '');
    const watchdog = spawn(
      'bash',
      [
        '-c',
        'while kill -0 "$1" 2>/dev/null; do sleep 1; done; [ -s "$2" ] && xargs -r kill -9 <"$2" 2>/dev/null; exit 0',
        'hexabase-watchdog',
        String(process.pid),
        this.pidFile,
      ],
      { detached: true, stdio: 'ignore' },
    );
    watchdog.unref();
    process.once('exit', () => this.killAllNow());
  }

  /** Starts a binary; its output goes to logs/<name>.log (read it when a component misbehaves). */
  start(name: string, bin: string, args: string[], env: Record<string, string> = {}): ChildProcess {
    const log = createWriteStream(join(this.dir, 'logs', `${name}.log`), { flags: 'a' });
    const child = spawn(bin, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env },
    });
    child.stdout?.pipe(log);
    child.stderr?.pipe(log);
    const pid = child.pid!;
    this.children.set(pid, { name, child });
    appendFileSync(this.pidFile, `${pid}\n`);
    child.once('exit', () => {
      this.children.delete(pid);
      this.writePids();
    });
    return child;
  }

  logTail(name: string, lines = 30): string {
    try {
      return readFileSync(join(this.dir, 'logs', `${name}.log`), 'utf8')
        .split('\n')
        .slice(-lines)
        .join('\n');
    } catch {
      return '(no log)';
    }
  }

  async stop(child: ChildProcess, graceMs = 5000): Promise<void> {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }

  /**
   * Reverse start order: controller-managers and apiservers before etcd. An apiserver whose etcd is gone ignores
   * SIGTERM and would only die by SIGKILL after the grace period.
   */
  async stopAll(): Promise<void> {
    for (const { child } of [...this.children.values()].reverse()) await this.stop(child);
    rmSync(this.pidFile, { force: true });
  }

  private killAllNow(): void {
    for (const { child } of this.children.values()) child.kill('SIGKILL');
  }

  private writePids(): void {
    try {
      writeFileSync(this.pidFile, [...this.children.keys()].map((p) => `${p}\n`).join(''));
    } catch {
      // The directory may already be gone at teardown.
    }
  }
}

/** Whether something accepts TCP connections on 127.0.0.1:port: how tests wait for a server they started. */
export const portOpen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const s = netConnect(port, '127.0.0.1');
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  opts: {
    timeoutMs: number;
    intervalMs?: number;
    diagnostics?: () => string;
    failed?: () => string | undefined;
  },
): Promise<T> {
  const deadline = Date.now() + opts.timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    const failure = opts.failed?.();
    if (failure) throw new Error(`${what} failed: ${failure}`);
    try {
      const v = await probe();
      if (v !== undefined) return v;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, opts.intervalMs ?? 200));
  }
  throw new Error(
    `${what} not ready after ${opts.timeoutMs} ms${last ? ` (last error: ${(last as Error).message})` : ''}${
      opts.diagnostics ? `\n${opts.diagnostics()}` : ''
    }`,
  );
}
