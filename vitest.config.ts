import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['functions/**/*.test.ts', 'shared/**/*.test.ts', 'scripts/**/*.test.ts'],
    exclude: ['**/node_modules/**', 'dist/**', '.hexabase/**'],
    globalSetup: ['./shared/testing/global-setup.ts'],
    pool: 'forks',
    // A safety net against hangs, not a time budget: the 2-core machine is shared and sometimes slow.
    testTimeout: 120_000,
    hookTimeout: 120_000,
    // Failing fast hides nothing here: every file owns its database, so files cannot break each other.
    sequence: { concurrent: false },
  },
});
