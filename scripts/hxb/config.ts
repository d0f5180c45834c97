import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';

/** The CLI's own settings: where it keeps credentials, and which Hexabase it talks to. */
const CliEnv = z.object({
  HEXABASE_API_URL: z.url().optional(),
  HEXABASE_CONFIG_DIR: z.string().min(1).optional(),
});

export type Paths = { dir: string; config: string; tokens: string };
/** `tokenId` is set when the CLI created the token (browser sign-in), so that logout can revoke it. */
export type Stored = { url: string; token: string; tokenId?: string };

export function cliEnv(source: Record<string, string | undefined> = process.env) {
  const env = CliEnv.parse(
    Object.fromEntries(Object.entries(source).filter(([k, v]) => k in CliEnv.shape && v)),
  );
  const dir = env.HEXABASE_CONFIG_DIR ?? join(homedir(), '.hexabase');
  return {
    apiUrl: env.HEXABASE_API_URL,
    paths: { dir, config: join(dir, 'config.json'), tokens: join(dir, 'tokens') },
  };
}

/** Files under ~/.hexabase hold secrets: the directory is 0700, files 0600. */
export function writeSecret(path: string, content: string, dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(path, content, { mode: 0o600 });
  chmodSync(path, 0o600);
}

export function readStored(paths: Paths): Stored | undefined {
  if (!existsSync(paths.config)) return undefined;
  return JSON.parse(readFileSync(paths.config, 'utf8')) as Stored;
}
