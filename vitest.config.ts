import { configDefaults, defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    globalSetup: ['test/support/global-setup.ts'],
    // Bounds for a hung test, not speed checks: generous, so a busy machine does not fail a test.
    testTimeout: 120_000,
    hookTimeout: 180_000,
    pool: 'forks',
    projects: [
      {
        extends: true,
        test: {
          name: 'api',
          include: ['test/**/*.test.ts', 'web/test/**/*.test.ts'],
          exclude: [...configDefaults.exclude, 'test/browser/**'],
        },
      },
      {
        // Real Chromium (test/browser/harness.ts): after the rest, one file at a time, so a browser
        // never competes with another browser or the API suite for the CPU; longer bounds still.
        extends: true,
        test: {
          name: 'chromium',
          include: ['test/browser/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 300_000,
          // expect.poll waits on what the page does: 1 s (the default) is short on a loaded machine.
          expect: { poll: { timeout: 90_000, interval: 100 } },
          fileParallelism: false,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
