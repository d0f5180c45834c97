import { join } from 'node:path';
import { findMigrationsDir, migrateDatabase, openPglite, openPostgres } from '../shared/db';
import { loadEnvOrExit } from '../shared/env';

const env = loadEnvOrExit();
try {
  const database = env.DATABASE_URL
    ? await openPostgres(env.DATABASE_URL, { poolMax: 1 })
    : await openPglite(join(env.HEXABASE_DATA_DIR, 'pglite'));
  await migrateDatabase(database, {
    url: env.DATABASE_URL,
    folder: findMigrationsDir(env.HEXABASE_MIGRATIONS_DIR),
  });
  await database.close();
  console.error(`hexabase: migrations applied to ${database.location}`);
} catch (err) {
  console.error(`hexabase: migration failed: ${(err as Error).message}`);
  process.exit(1);
}
