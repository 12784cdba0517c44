import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
    globalSetup: ['test/support/global-setup.ts'],
    // Bounds for a hung test, not speed checks: generous, so a busy machine does not fail a test.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
  },
});
