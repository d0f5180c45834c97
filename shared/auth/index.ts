import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cache } from '../cache';
import { createVersionedCache } from '../cache/versioned';
import type { Db } from '../db';
import type { Env } from '../env';
import { createLogger, type Logger } from '../log';
import type { AuthContext } from './context';
import type { FlowDeps } from './flow';
import { createKeyStore } from './keys';
import { createProviders, createStateStore } from './providers';
import { deriveKey } from './secrets';

export type { AuthContext, Principal, RequestMeta } from './context';

export type Auth = FlowDeps & {
  devLogin: boolean;
  trustProxy: boolean;
  workspaceTokenTtlSeconds: number;
  /** How exec-mode kubeconfigs invoke the CLI. */
  cli: { command: string; caFile?: string };
};

/**
 * The key-encryption key: from the environment in production (required there); for local runs one is generated
 * once into the data directory so that `npm start` needs no setup and keeps its keys across restarts.
 */
function keyEncryptionKey(env: Env): Buffer {
  if (env.HEXABASE_KEY_ENCRYPTION_KEY) return Buffer.from(env.HEXABASE_KEY_ENCRYPTION_KEY, 'base64');
  const file = join(env.HEXABASE_DATA_DIR, 'key-encryption-key');
  if (!existsSync(file)) {
    mkdirSync(env.HEXABASE_DATA_DIR, { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64'), { mode: 0o600, flag: 'wx' });
  }
  return Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
}

export function createAuth(deps: { env: Env; db: Db; cache: Cache; log?: Logger; now?: () => Date }): Auth {
  const env = deps.env;
  const now = deps.now ?? (() => new Date());
  const kek = keyEncryptionKey(env);
  const auth: AuthContext = {
    db: deps.db,
    cache: deps.cache,
    authzCache: createVersionedCache(deps.cache, {
      ttlSeconds: env.HEXABASE_AUTHZ_CACHE_TTL_SECONDS,
      log: deps.log ?? createLogger({ level: 'silent', name: 'auth' }),
    }),
    kek,
    csrfKey: deriveKey(kek, 'csrf/v1'),
    refreshKey: deriveKey(kek, 'refresh-successor/v1'),
    keys: createKeyStore({
      db: deps.db,
      kek,
      // Workspace ID tokens (up to 24 h) will be signed by the same keys.
      maxTokenTtlSeconds: Math.max(env.HEXABASE_ACCESS_TOKEN_TTL_SECONDS, 24 * 3600),
      now,
    }),
    issuer: env.HEXABASE_PUBLIC_URL.replace(/\/$/, ''),
    accessTtlSeconds: env.HEXABASE_ACCESS_TOKEN_TTL_SECONDS,
    refreshTtlSeconds: env.HEXABASE_REFRESH_TOKEN_TTL_SECONDS,
    refreshReuseGraceSeconds: env.HEXABASE_REFRESH_REUSE_GRACE_SECONDS,
    now,
  };
  return {
    auth,
    providers: createProviders(env.HEXABASE_AUTH_PROVIDERS),
    states: createStateStore({ cache: deps.cache, db: deps.db, now }),
    publicUrl: auth.issuer,
    devLogin: env.HEXABASE_DEV_LOGIN,
    trustProxy: env.HEXABASE_TRUST_PROXY,
    workspaceTokenTtlSeconds: env.HEXABASE_WORKSPACE_TOKEN_TTL_SECONDS,
    cli: { command: env.HEXABASE_CLI_COMMAND, caFile: env.HEXABASE_CLI_CA_FILE },
  };
}
