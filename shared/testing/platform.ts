import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { parseEnv } from '../env';
import { createLogger } from '../log';
import { createPlatform, type Platform } from '../platform';
import { createTestDatabase, type TestDatabase } from './db';
import { TEST_SERVICES } from './services';

/**
 * The real platform (PostgreSQL + Redis + NATS) on a database owned by this test file. `overrides` may be a
 * function, evaluated after earlier beforeAll hooks (e.g. once a test IdP has a URL).
 * Use inside a describe/file: the returned getter is valid between beforeAll and afterAll.
 */
export function usePlatform(
  overrides: Record<string, string> | (() => Record<string, string>) = {},
): () => Platform & { testDb: TestDatabase } {
  let platform: (Platform & { testDb: TestDatabase }) | undefined;
  beforeAll(async () => {
    const testDb = await createTestDatabase();
    const env = parseEnv({
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: testDb.url,
      DATABASE_POOL_MAX: '5',
      REDIS_URL: TEST_SERVICES.redisUrl,
      NATS_URL: TEST_SERVICES.natsUrl,
      HEXABASE_KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      HEXABASE_DATA_DIR: '/nonexistent',
      // Rate-limit windows and sign-in state of one file never meet another file's (or an earlier run's).
      REDIS_KEY_PREFIX: `test:${testDb.name}:`,
      ...(overrides instanceof Function ? overrides() : overrides),
    });
    const log = createLogger({ level: env.LOG_LEVEL, name: 'test' });
    platform = { ...(await createPlatform(env, log, { name: 'test', migrate: false })), testDb };
  });
  afterAll(async () => {
    await platform?.close();
    await platform?.testDb.drop();
  });
  return () => {
    if (!platform) throw new Error('usePlatform() is only available inside tests');
    return platform;
  };
}
