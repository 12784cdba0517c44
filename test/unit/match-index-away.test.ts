import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { preferencesFromMatches } from '../../src/allocation/preferences.ts';
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

function indexOf(
  market: RandomMarket,
  pool: RankPool | undefined,
  splitFrom = Number.POSITIVE_INFINITY,
): MatchIndex {
  const index = new MatchIndex(buildCatalog([market.questionnaire]), { pool, awayFrom: 0, splitFrom });
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
  // These threads answer: generous waits, so a busy machine cannot turn an answer (a thread
  // descheduled a while) into a timeout or a range taken back late.
  const pool = new RankPool(1, { waitMs: 60_000, lateFloorMs: 60_000 });
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
  /** The threads each listing of `index` was ranked on, from now on. */
  const threadsOf = (index: MatchIndex) => {
    const threads: string[] = [];
    index.onListing = (_side, _seconds, thread) => threads.push(thread);
    return threads;
  };

  it('give a list large enough to be split as the split one, ranked whole on the thread', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const { side, id, request } = setUp(c, pool);
        const split = indexOf(c.market, pool, 0);
        const expected = split.matchesOf(WS, side, id, request);
        const threads = threadsOf(split);
        expect(await split.matchesOfAway(WS, side, id, request)).toEqual(expected);
        expect(threads.every((thread) => thread === 'rank')).toBe(true);
        if (side !== 'job') return;
        // Among some candidates only (an allocation restricted to candidateIds).
        const among = new Set(c.market.candidates.filter((_, k) => k % 2 === 0).map((x) => x.id));
        expect(await split.matchesOfAway(WS, side, id, request, { among })).toEqual(
          split.jobMatchesAmong(WS, id, among, request),
        );
      }),
      { numRuns: 40 },
    );
    expect(pool.fallbacks).toBe(0);
  });

  it('rank an allocation’s preferences from the matches on the thread, the same as on the calling one', async () => {
    await fc.assert(
      fc.asyncProperty(arbCase, async (c) => {
        const jobs = c.market.jobs.map((job, k) => ({ id: job.id, capacity: 1 + (k % 2) }));
        const among = new Set(c.market.candidates.filter((_, k) => k % 3 !== 0).map((x) => x.id));
        const onThreads = indexOf(c.market, pool, 0);
        const threads = threadsOf(onThreads);
        const here = indexOf(c.market, undefined);
        for (const only of [undefined, among]) {
          expect(await preferencesFromMatches(onThreads, WS, jobs, c.method, only)).toEqual(
            await preferencesFromMatches(here, WS, jobs, c.method, only),
          );
        }
        expect(threads.every((thread) => thread === 'rank')).toBe(true);
      }),
      { numRuns: 20 },
    );
  });
});
