import { spawn } from 'node:child_process';

export type KubectlResult = { code: number; stdout: string; stderr: string };

/** Runs the real kubectl binary built from upstream; never throws, so tests can assert on failures. */
export function kubectl(
  bin: string,
  args: string[],
  opts: { kubeconfig?: string; input?: string; env?: Record<string, string> } = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, [...(opts.kubeconfig ? ['--kubeconfig', opts.kubeconfig] : []), ...args], {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: '/nonexistent', ...opts.env },
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
