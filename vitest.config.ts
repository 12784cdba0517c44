import { existsSync } from 'node:fs';
import { configDefaults, defineConfig, type TestProjectInlineConfiguration } from 'vitest/config';

/**
 * The browser tests need Debian's Chromium (test/browser/harness.ts). CI installs it and always runs
 * them (a missing browser fails there); on a machine without it, `npm test` runs the rest and says
 * so, as it runs on PGlite alone where no PostgreSQL answers.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const browserTests = Boolean(process.env.CI) || existsSync(chromiumPath);
if (!browserTests) {
  process.stderr.write(
    `No Chromium at ${chromiumPath}: the browser tests (test/browser) do not run here. Install ` +
      "Debian's chromium package or set CHROMIUM_PATH to run them; CI always runs them.\n",
  );
}

/** Real Chromium: after the rest, one file at a time, so a browser never competes with another browser or the API suite for the CPU; longer bounds still. */
const browserProject: TestProjectInlineConfiguration = {
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
};

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
      ...(browserTests ? [browserProject] : []),
    ],
  },
});
