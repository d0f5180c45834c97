import { defineConfig } from 'drizzle-kit';

// drizzle-kit only generates SQL from the schema; it never connects. Migrations are applied by shared/db/migrate.
export default defineConfig({
  dialect: 'postgresql',
  schema: './shared/db/schema/index.ts',
  out: './migrations',
  casing: 'snake_case',
});
