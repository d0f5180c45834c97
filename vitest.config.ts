import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['functions/**/*.test.ts', 'shared/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '.hexabase/**'],
    globalSetup: ['./shared/testing/global-setup.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 120_000,
    // Failing fast hides nothing here: every file owns its database, so files cannot break each other.
    sequence: { concurrent: false },
  },
});
