import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { type KeptRow, type RankRequest, rankRange } from '../../src/matching/engine/search.ts';
import { mergeSlices } from '../../src/matching/engine/slice-merge.ts';
import { RankPool } from '../../src/matching/engine/slice-pool.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import { arbMarket, type RandomMarket } from '../support/random-market.ts';

/**
 * Listings split into ranges of rows (DESIGN §6: a second core for the scan): each range ranked
 * on its own and the lists merged must give the single-threaded list exactly, bit for bit, for
 * any cut of the rows, any limit, cursor and score method, with removed rows; and so must the
 * rank pool's worker threads reading the stores' shared memory.
 */

interface Case {
  market: RandomMarket;
  jobSide: boolean;
  subject: number;
  limit: number;
  method: ScoreMethod;
  cuts: number[];
  removed: number[];
  cursorAt: number;
}

const arbCase = (): fc.Arbitrary<Case> =>
  arbMarket().chain((market) =>
    fc.record({
      market: fc.constant(market),
      jobSide: fc.boolean(),
      subject: fc.nat(),
      limit: fc.integer({ min: 1, max: 12 }),
      method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
      cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
      removed: fc.array(fc.nat(), { maxLength: 5 }),
      cursorAt: fc.integer({ min: -1, max: 6 }),
    }),
  );

/** The market's stores, grown from one row (so their arrays were reallocated), less the removed rows. */
function storesOf({ market, jobSide, subject, removed }: Case) {
  const layout = compileLayout(market.questionnaire);
  const jobs = new ProfileStore(layout, 1);
  const candidates = new ProfileStore(layout, 1);
  for (const job of market.jobs) jobs.upsert(job);
  for (const candidate of market.candidates) candidates.upsert(candidate);
  const [subjects, others, otherProfiles] = jobSide
    ? [jobs, candidates, market.candidates]
    : [candidates, jobs, market.jobs];
  for (const r of otherProfiles.length > 0 ? removed : []) {
    others.remove(otherProfiles[r % otherProfiles.length]!.id);
  }
  const subjectProfiles = jobSide ? market.jobs : market.candidates;
  fc.pre(subjectProfiles.length > 0);
  const s = subjects.slotOf(subjectProfiles[subject % subjectProfiles.length]!.id);
  return { subjects, s, others };
}

/**
 * The case's stores, the request (with a cursor after the row at `cursorAt` of the whole listing
 * when there is one) and `whole`, the single-threaded ranking of every row.
 */
function setUp(c: Case) {
  const { subjects, s, others } = storesOf(c);
  const whole = (request: RankRequest): KeptRow[] => rankRange(subjects, s, others, request, 0, others.end);
  const plain: RankRequest = { limit: c.limit, method: c.method };
  const at = whole(plain)[c.cursorAt];
  const request = at ? { ...plain, after: { score: at.score, id: others.idAt(at.slot) } } : plain;
  return { subjects, s, others, whole, request };
}

describe('split listings', () => {
  it('merge the rankings of any cut of the rows into the single-threaded ranking, bit for bit', () => {
    fc.assert(
      fc.property(arbCase(), (c) => {
        const { subjects, s, others, whole, request } = setUp(c);
        const bounds = [
          0,
          ...c.cuts.map((x) => Math.floor(x * others.end)).sort((a, b) => a - b),
          others.end,
        ];
        const lists = bounds.slice(1).map((to, i) => rankRange(subjects, s, others, request, bounds[i]!, to));
        expect(mergeSlices(lists, others, request)).toEqual(whole(request));
      }),
      { numRuns: 300 },
    );
  });

  describe('over worker threads', () => {
    const pool = new RankPool(2);
    afterAll(() => pool.close());

    it('give the single-threaded ranking, also after the stores grew and changed', () => {
      fc.assert(
        fc.property(arbCase(), (c) => {
          const { subjects, s, others, whole, request } = setUp(c);
          expect(pool.rank(subjects, s, others, request)).toEqual(whole(request));
          // Rows added after a first split (a store may grow onto new shared arrays) are seen.
          for (const profile of c.jobSide ? c.market.candidates : c.market.jobs) {
            others.upsert({ ...profile, id: crypto.randomUUID() });
          }
          expect(pool.rank(subjects, s, others, request)).toEqual(whole(request));
        }),
        { numRuns: 40 },
      );
      expect(pool.fallbacks).toBe(0);
    });

    it('rank a range on the calling thread when its thread fails it or does not answer in time', () => {
      for (const name of ['failing', 'silent']) {
        let gaveUp = 0;
        const broken = new RankPool(1, {
          onGiveUp: () => gaveUp++,
          // a failing thread answers (it must not be taken for a late one on a busy machine); a silent one never does
          waitMs: name === 'failing' ? 10_000 : 100,
          workerUrl: new URL(`../fixtures/rank-workers/${name}.ts`, import.meta.url),
        });
        fc.assert(
          fc.property(arbCase(), (c) => {
            const { subjects, s, others, whole, request } = setUp(c);
            expect(broken.rank(subjects, s, others, request)).toEqual(whole(request));
          }),
          { numRuns: 3 },
        );
        expect(broken.fallbacks).toBe(3);
        // A thread that never answers is replaced; after three in a row the pool stops waiting on threads.
        expect(broken.usable).toBe(name === 'failing');
        expect(gaveUp).toBe(name === 'failing' ? 0 : 1);
        void broken.close();
      }
    });
  });
});
