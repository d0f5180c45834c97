import { join } from 'node:path';
import type { Platform } from '../platform';
import { childEnv, spawnProcess } from './process';

const root = join(import.meta.dirname, '../..');

/**
 * `npm run keys -- …` the way an operator runs it: the real script in its own process, with the settings of the
 * services it manages (this test platform's database and key-encryption key); `env` overrides them.
 */
export async function keysCommand(p: Platform, args: string[], env: Record<string, string> = {}) {
  const child = spawnProcess(
    process.execPath,
    ['--import', 'tsx', 'scripts/keys.ts', ...args],
    childEnv({
      ...(p.env.DATABASE_URL ? { DATABASE_URL: p.env.DATABASE_URL } : {}),
      ...(p.env.HEXABASE_KEY_ENCRYPTION_KEY
        ? { HEXABASE_KEY_ENCRYPTION_KEY: p.env.HEXABASE_KEY_ENCRYPTION_KEY }
        : {}),
      HEXABASE_DATA_DIR: p.env.HEXABASE_DATA_DIR,
      ...env,
    }),
    root,
  );
  const code = await child.exited;
  return { code, stdout: child.stdout, stderr: child.stderr };
}

/** The key ids a successful `rotate` printed: the new active key and the one it retired. */
export function parseRotation(stdout: string[]) {
  const kid = /^rotated: (key-\S+) is the active signing key since /.exec(stdout[0] ?? '')?.[1];
  const retired = /^retired: (key-\S+), published until (\S+) /.exec(stdout[1] ?? '');
  return {
    kid,
    retiredKid: retired?.[1],
    publishedUntil: retired ? new Date(retired[2]!) : undefined,
  };
}
