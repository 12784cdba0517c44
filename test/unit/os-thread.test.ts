import { describe, expect, it } from 'vitest';
import { osThreadId, osThreadRuns } from '../../src/worker-thread.ts';

describe.runIf(process.platform === 'linux')('OS threads, as a blocked parent tells a dead worker', () => {
  it("names this thread, which runs, and tells a thread that is not this process's", () => {
    const id = osThreadId();
    expect(id).toBeGreaterThan(0);
    expect(osThreadRuns(id)).toBe(true);
    expect(osThreadRuns(2_147_483_000)).toBe(false);
  });

  it('takes a thread it cannot name for running (no wait is cut short)', () => {
    expect(osThreadRuns(0)).toBe(true);
  });
});
