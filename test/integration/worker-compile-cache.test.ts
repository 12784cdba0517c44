import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { childEnv, killLeftovers, runEntry } from '../support/processes.ts';

afterEach(killLeftovers);

it('starts worker threads on the compile cache the entry point turned on', { timeout: 120_000 }, async () => {
  const cache = mkdtempSync(join(tmpdir(), 'mutualfit-compile-cache-'));
  try {
    const child = runEntry('test/fixtures/worker-compile-cache.ts', [cache], childEnv({}));
    expect(await child.exited, child.output().stderr).toBe(0);
    // The thread's cache is the versioned directory Node makes inside the one given.
    expect(child.output().stdout.trim()).toMatch(new RegExp(`^${cache}/v\\d`));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
