import { spawn } from 'node:child_process';

export type KubectlResult = { code: number; stdout: string; stderr: string };

/** Runs a binary to its exit, collecting its output; never throws on a non-zero exit. */
export function runBinary(
  bin: string,
  args: string[],
  opts: { cwd?: string; input?: string; env: Record<string, string> },
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, {
      ...(opts.cwd ? { cwd: opts.cwd } : {}),
      env: opts.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
    child.stdin.end(opts.input ?? '');
  });
}

/** Runs the real kubectl binary built from upstream; never throws, so tests can assert on failures. */
export function kubectl(
  bin: string,
  args: string[],
  opts: { kubeconfig?: string; input?: string; env?: Record<string, string> } = {},
): Promise<KubectlResult> {
  return runBinary(bin, [...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []), ...args], {
    ...(opts.input ? { input: opts.input } : {}),
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...opts.env },
  });
}
