import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { insightsOfRange } from '../../src/matching/engine/insights-pass.ts';
import { InsightsBusy, InsightsPool } from '../../src/matching/engine/insights-pool.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { arbMarket } from '../support/random-market.ts';

/** The insights pool: worker threads count what the calling thread would, failures fall back, the queue is bounded. */

const [market] = fc.sample(
  arbMarket().filter((m) => m.candidates.length >= 20),
  { numRuns: 1, seed: 12 },
);

function stores() {
  const layout = compileLayout(market!.questionnaire);
  const jobs = new ProfileStore(layout);
  const candidates = new ProfileStore(layout);
  for (const job of market!.jobs) jobs.upsert(job);
  for (const candidate of market!.candidates) candidates.upsert(candidate);
  return { jobs, candidates, s: jobs.slotOf(market!.jobs[0]!.id) };
}

const request = { side: 'job' as const, method: 'harmonic' as const };
const fixture = (name: string) => new URL(`../fixtures/rank-workers/${name}.ts`, import.meta.url);

let pool: InsightsPool | undefined;
afterEach(async () => {
  await pool?.close();
  pool = undefined;
});

/** Counts one pass on `created` and expects what one pass on the calling thread counts, with `fallbacks` threads taken over. */
async function expectOnePassCounts(created: InsightsPool, fallbacks: number): Promise<void> {
  pool = created;
  const { jobs, candidates, s } = stores();
  const counts = await created.turn(() => created.count(jobs, s, candidates, request));
  expect(Array.from(counts)).toEqual(
    Array.from(insightsOfRange(jobs, s, candidates, request, 0, candidates.end)),
  );
  expect(created.fallbacks).toBe(fallbacks);
}

describe('insights pool', () => {
  it('counts on worker threads exactly what one pass on the calling thread counts', async () => {
    await expectOnePassCounts(new InsightsPool(2), 0);
  });

  it.each(['crashing', 'silent'])('counts on the calling thread when its threads are %s', async (name) => {
    await expectOnePassCounts(new InsightsPool(2, { workerUrl: fixture(name), waitMs: 300 }), 2);
  });

  it('splits the rows into chunks the threads claim, and counts each chunk once', async () => {
    await expectOnePassCounts(new InsightsPool(2, { chunkRows: 3 }), 0);
  });

  it('takes over the chunks a thread claimed before it stopped answering, and those left unclaimed', async () => {
    const claimingSilent = { workerUrl: fixture('claiming-silent'), waitMs: 300, chunkRows: 2 };
    await expectOnePassCounts(new InsightsPool(2, claimingSilent), 2);
  });

  it("refuses a workspace's pass when that workspace has its share of the queue waiting, not another's", async () => {
    pool = new InsightsPool(0, { maxWaiting: 4, maxWaitingPerQueue: 2 });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const running = pool.turn(() => held, 'busy');
    const waiting = [pool.turn(async () => 'busy 1', 'busy'), pool.turn(async () => 'busy 2', 'busy')];
    await expect(pool.turn(async () => 'busy 3', 'busy')).rejects.toBeInstanceOf(InsightsBusy);
    const other = pool.turn(async () => 'quiet', 'quiet');
    release();
    await running;
    await expect(Promise.all([...waiting, other])).resolves.toEqual(['busy 1', 'busy 2', 'quiet']);
  });

  it('refuses a pass when one runs and the queue is full', async () => {
    pool = new InsightsPool(0, { maxWaiting: 1 });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const first = pool.turn(() => held);
    const second = pool.turn(async () => 'second');
    await expect(pool.turn(async () => 'third')).rejects.toBeInstanceOf(InsightsBusy);
    release();
    await first;
    await expect(second).resolves.toBe('second');
    await expect(pool.turn(async () => 'later')).resolves.toBe('later');
  });
});
