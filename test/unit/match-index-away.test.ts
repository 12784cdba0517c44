import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RankPool } from '../../src/matching/engine/slice-pool.ts';
import { MatchIndex } from '../../src/matching/index.ts';
import { buildCatalog } from '../../src/questionnaires/loader.ts';
import { arbListing, type RandomMarket } from '../support/random-market.ts';

/**
 * Listings handed whole to a worker thread while the event loop goes on (MatchIndex.matchesOfAway,
 * RankPool.rankAway; docs/architecture.md#the-match-index): the same list as ranking on the calling
 * thread, and, when a write lands while the thread ranks, the list of the market after the write.
 */

const WS = '00000000-0000-4000-8000-00000000a11a';

function indexOf(market: RandomMarket, pool: RankPool): MatchIndex {
  const index = new MatchIndex(buildCatalog([market.questionnaire]), {
    pool,
    awayFrom: 0,
    splitFrom: Number.POSITIVE_INFINITY,
  });
  const version = {
    questionnaireId: market.questionnaire.id,
    questionnaireVersion: market.questionnaire.version,
  };
  for (const job of market.jobs)
    index.apply(WS, 'job', { ...job, open: true, answers: { ...version, answers: job.answers } });
  for (const candidate of market.candidates)
    index.apply(WS, 'candidate', { ...candidate, answers: { ...version, answers: candidate.answers } });
  return index;
}

const arbCase = arbListing();

/** The case's index (ranking on `pool`), its subject and request. */
function setUp(c: CaseOf<typeof arbCase>, pool: RankPool) {
  const profiles = c.jobSide ? c.market.jobs : c.market.candidates;
  fc.pre(profiles.length > 0);
  return {
    index: indexOf(c.market, pool),
    side: c.jobSide ? ('job' as const) : ('candidate' as const),
    id: profiles[c.subject % profiles.length]!.id,
    request: { limit: c.limit, method: c.method },
  };
}

type CaseOf<A> = A extends fc.Arbitrary<infer T> ? T : never;

describe('listings ranked away on a worker thread', () => {
  // These threads answer: a generous wait, so a busy machine cannot turn an answer into a timeout.
  const pool = new RankPool(1, { waitMs: 60_000 });
  beforeAll(() => pool.ready());
  afterAll(() => pool.close());

  it('give the list ranked on the calling thread', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const { index, side, id, request } = setUp(c, pool);
        expect(await index.matchesOfAway(WS, side, id, request)).toEqual(
          index.matchesOf(WS, side, id, request),
        );
      }),
      { numRuns: 60 },
    );
    expect(pool.fallbacks).toBe(0);
  });

  it('give the list after a write that landed while the thread ranked', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const { index, side, id, request } = setUp(c, pool);
        const before = index.matchesOf(WS, side, id, request)!;
        fc.pre(before.rows.length > 0);
        const pending = index.matchesOfAway(WS, side, id, request);
        // The job is with the thread; the best row leaves the market before the answer is read.
        index.remove(WS, side === 'job' ? 'candidate' : 'job', before.rows[0]!.id);
        const after = await pending;
        expect(after).toEqual(index.matchesOf(WS, side, id, request));
        expect(after!.rows.map((row) => row.id)).not.toContain(before.rows[0]!.id);
      }),
      { numRuns: 30 },
    );
  });
});
