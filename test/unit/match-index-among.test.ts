import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RankPool } from '../../src/matching/engine/slice-pool.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { rankMatches } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbMarket, propertyRuns, type RandomMarket } from '../support/random-market.ts';

/**
 * A job's listing among named candidates (an allocation restricted to `candidateIds`) against the
 * reference scorer on random markets: the best `limit` of the named candidates, which the best
 * `limit` of all candidates, filtered afterwards, would miss whenever others rank above them.
 */

const runs = (n: number) => ({ ...propertyRuns(n), endOnFailure: true });
const WORKSPACE = '00000000-0000-4000-8000-000000000001';

interface Case {
  market: RandomMarket;
  method: ScoreMethod;
  limit: number;
  named: boolean[];
}

const arbCase = (): fc.Arbitrary<Case> =>
  arbMarket().chain((market) =>
    fc.record({
      market: fc.constant(market),
      method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
      limit: fc.integer({ min: 1, max: 4 }),
      named: fc.array(fc.boolean(), {
        minLength: market.candidates.length,
        maxLength: market.candidates.length,
      }),
    }),
  );

function indexOf(c: Case, pool?: RankPool): MatchIndex {
  const index = new MatchIndex(buildCatalog([c.market.questionnaire]), { pool, splitFrom: 0 });
  const { id: questionnaireId, version: questionnaireVersion } = c.market.questionnaire;
  for (const profile of c.market.jobs)
    index.apply(WORKSPACE, 'job', {
      ...profile,
      answers: { questionnaireId, questionnaireVersion, answers: profile.answers },
    });
  for (const profile of c.market.candidates)
    index.apply(WORKSPACE, 'candidate', {
      ...profile,
      answers: { questionnaireId, questionnaireVersion, answers: profile.answers },
    });
  return index;
}

function expectBestOfTheNamed(c: Case, index: MatchIndex): void {
  const named = c.market.candidates.filter((_, k) => c.named[k]);
  const names = new Set(named.map((candidate) => candidate.id));
  for (const job of c.market.jobs) {
    const expected = rankMatches(c.market.questionnaire, { side: 'employer', ...job }, named, c.method);
    const list = index.jobMatchesAmong(WORKSPACE, job.id, names, { limit: c.limit, method: c.method });
    expect(
      list?.rows.map((row) => row.id),
      `job ${job.id}`,
    ).toEqual(expected.slice(0, c.limit).map((m) => m.id));
    expect(list?.hasMore).toBe(expected.length > c.limit);
    list?.rows.forEach((row, i) => {
      expect(Math.abs(row.score - expected[i]!.score)).toBeLessThanOrEqual(1e-6);
    });
  }
}

describe('a job’s listing among named candidates', () => {
  it('is the reference listing of the named candidates alone, best first', () => {
    fc.assert(
      fc.property(arbCase(), (c) => expectBestOfTheNamed(c, indexOf(c))),
      runs(300),
    );
  });

  // A thread that is only slow on a busy machine is not a failure: wait for it rather than fall back.
  const pool = new RankPool(1, { waitMs: 60_000, lateFloorMs: 60_000 });
  afterAll(() => pool.close());

  it('is the same when the listing is split over worker threads', async () => {
    await pool.ready();
    fc.assert(
      fc.property(arbCase(), (c) => expectBestOfTheNamed(c, indexOf(c, pool))),
      runs(40),
    );
    expect(pool.fallbacks).toBe(0);
  });
});
