import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { waitFor } from './supervisor';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('Supervisor', () => {
  it('kills what it started even when its owner is killed with SIGKILL', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'hexabase-sup-'));
    const script = `
      import { Supervisor } from ${JSON.stringify(join(import.meta.dirname, 'supervisor.ts'))};
      const s = new Supervisor(${JSON.stringify(dir)});
      const c = s.start('sleeper', 'sleep', ['300']);
      console.log(c.pid);
      setInterval(() => {}, 1000);
    `;
    const owner = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const pid = await new Promise<number>((resolve) =>
      owner.stdout.once('data', (d) => resolve(Number(String(d).trim()))),
    );
    expect(alive(pid)).toBe(true);
    owner.kill('SIGKILL');
    await waitFor('orphan killed', async () => (alive(pid) ? undefined : true), { timeoutMs: 10_000 });
  });
});
