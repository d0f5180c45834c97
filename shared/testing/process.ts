import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { afterAll } from 'vitest';

export type Spawned = {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  /**
   * Resolves with the first JSON log line, printed so far or later, that satisfies `match`; rejects once the
   * process has exited without printing one. No time budget by default: a slow machine is not a failure, and
   * vitest's testTimeout catches a hang.
   */
  waitForLog: (
    match: (line: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ) => Promise<Record<string, unknown>>;
  exited: Promise<number | null>;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
};

const running = new Set<ChildProcess>();
afterAll(() => {
  for (const c of running) c.kill('SIGKILL');
});

/** Runs a real process (a function bundle, the local server) the way an operator would. */
export function spawnProcess(
  command: string,
  args: string[],
  env: Record<string, string>,
  cwd?: string,
): Spawned {
  const child = spawn(command, args, { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  const logged: Record<string, unknown>[] = [];
  const waiters: {
    match: (l: Record<string, unknown>) => boolean;
    resolve: (l: Record<string, unknown>) => void;
  }[] = [];
  createInterface({ input: child.stdout! }).on('line', (line) => {
    stdout.push(line);
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(line);
    } catch {
      return;
    }
    logged.push(parsed);
    for (const w of [...waiters]) {
      if (w.match(parsed)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(parsed);
      }
    }
  });
  createInterface({ input: child.stderr! }).on('line', (line) => stderr.push(line));
  // 'close', not 'exit': it comes after the last line of output has been read, so a test that awaits the exit
  // sees everything the process printed.
  const exited = new Promise<number | null>((resolve) =>
    child.on('close', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  return {
    child,
    stdout,
    stderr,
    exited,
    waitForLog: (match, timeoutMs) =>
      new Promise((resolve, reject) => {
        const seen = logged.find(match);
        if (seen) return resolve(seen);
        const t =
          timeoutMs === undefined
            ? undefined
            : setTimeout(
                () =>
                  reject(
                    new Error(`no matching log line within ${timeoutMs} ms; stderr: ${stderr.join('\n')}`),
                  ),
                timeoutMs,
              );
        const w = {
          match,
          resolve: (l: Record<string, unknown>) => {
            clearTimeout(t);
            resolve(l);
          },
        };
        waiters.push(w);
        void exited.then(() => {
          clearTimeout(t);
          reject(new Error(`process exited; stderr: ${stderr.join('\n')}`));
        });
      }),
    stop: (signal = 'SIGTERM') => {
      child.kill(signal);
      return exited;
    },
  };
}

/**
 * Minimal environment for a child: no inherited settings can leak into what is being tested. Servers started
 * in parallel test files (or next to a developer's `npm start`) would all claim the default METRICS_PORT.
 */
export function childEnv(vars: Record<string, string>): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    METRICS_PORT: '0',
    ...vars,
  };
}
