import { defineConfig } from 'vitest/config';

/**
 * IOTOPS_TEST_DB=pglite (default) runs DB tests on an in-memory PGlite per test file;
 * IOTOPS_TEST_DB=postgres runs them on a fresh database created on the PostgreSQL at TEST_DATABASE_URL.
 */
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'scripts/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // expect.poll waits on a condition; its 1 s default suits a quiet machine, not a loaded 2-core CI run.
    expect: { poll: { timeout: 30_000 } },
  },
});
