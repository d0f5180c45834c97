import { closeSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';

/**
 * Maps workspace host names to loopback in /etc/hosts, standing in for the operator's wildcard DNS record: Go (kubectl)
 * and glibc do not resolve `*.localhost` here. Each owner's lines carry its marker, so concurrent test runs and the
 * local cluster only ever rewrite their own; a lock file serialises the read-modify-write.
 */
export type HostsFile = {
  /** Makes exactly these names (of this owner) point at 127.0.0.1. */
  set: (names: Iterable<string>) => void;
  clear: () => void;
  /** Why the file could not be written (not root), once; the names then need adding by hand. */
  problem: () => string | undefined;
};

const STALE_LOCK_MS = 10_000;

/** Lines left by a process that was killed before it could remove them. */
function deadOwner(line: string): boolean {
  const pid = Number(/# hexabase-standin (\d+)$/.exec(line)?.[1]);
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

function withLock<T>(path: string, fn: () => T): T {
  const lock = `${path}.hexabase.lock`;
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      try {
        if (Date.now() - statSync(lock).mtimeMs > STALE_LOCK_MS) rmSync(lock, { force: true });
      } catch {}
      if (i > 2000) throw new Error(`${lock} stays locked`);
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    rmSync(lock, { force: true });
  }
}

export function hostsFile(path = '/etc/hosts', owner = process.pid): HostsFile {
  const marker = `# hexabase-standin ${owner}`;
  let current = '';
  let problem: string | undefined;
  const write = (names: string[]) => {
    const key = names.join(' ');
    if (key === current || problem) return;
    try {
      withLock(path, () => {
        const kept = readFileSync(path, 'utf8')
          .split('\n')
          .filter((l) => l !== '' && !l.endsWith(marker) && !deadOwner(l));
        writeFileSync(path, `${[...kept, ...names.map((n) => `127.0.0.1 ${n} ${marker}`)].join('\n')}\n`);
      });
      current = key;
    } catch (err) {
      problem = `cannot write ${path} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}): add "127.0.0.1 <workspace host>" lines yourself`;
    }
  };
  return {
    set: (names) => write([...new Set(names)].sort()),
    clear: () => write([]),
    problem: () => problem,
  };
}
