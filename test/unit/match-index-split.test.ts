import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProfileStore } from '../../src/matching/engine/columnar-store.ts';
import { compileLayout } from '../../src/matching/engine/layout.ts';
import { type KeptRow, type RankRequest, rankRange } from '../../src/matching/engine/search.ts';
import { mergeSlices } from '../../src/matching/engine/slice-merge.ts';
import { RankPool } from '../../src/matching/engine/slice-pool.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';
import { arbListing, type RandomMarket } from '../support/random-market.ts';
import { RANK_GATE } from '../support/rank-gate.ts';

/**
 * Listings split into ranges of rows (a second core for the scan; docs/operations.md#performance-targets): each range ranked
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
  fc
    .tuple(
      arbListing(),
      fc.record({
        cuts: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 3 }),
        removed: fc.array(fc.nat(), { maxLength: 5 }),
        cursorAt: fc.integer({ min: -1, max: 6 }),
      }),
    )
    .map(([listing, slicing]) => ({ ...listing, ...slicing }));

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
    const fixture = (name: string) => new URL(`../fixtures/rank-workers/${name}.ts`, import.meta.url);

    // These threads answer: generous waits, so a busy machine cannot turn an answer (a thread
    // descheduled a while) into a timeout or a range taken back late.
    const pool = new RankPool(2, { waitMs: 60_000, lateFloorMs: 60_000 });
    beforeAll(() => pool.ready());
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

    it('rank a whole listing away, awaited, as the single-threaded ranking', async () => {
      await fc.assert(
        fc.asyncProperty(arbCase(), async (c) => {
          const { subjects, s, others, whole, request } = setUp(c);
          expect(await pool.rankAway(subjects, s, others, request)).toEqual(whole(request));
        }),
        { numRuns: 40 },
      );
      expect(pool.fallbacks).toBe(0);
    });

    it('queue listings on a thread, take back for the calling thread one only while two more wait behind the thread’s current one, and split none onto it meanwhile', async () => {
      // The thread holds its job until the gate opens: it is certainly busy meanwhile, however
      // fast it would rank (the real worker can answer a small listing between two calls).
      const one = new RankPool(1, { waitMs: 60_000, workerUrl: fixture('gated') });
      await one.ready();
      const [c] = fc.sample(arbCase(), { numRuns: 1, seed: 11 });
      const { subjects, s, others, whole, request } = setUp(c!);
      const away = () => one.rankAway(subjects, s, others, request)!;
      const queued = [away(), away(), away()];
      const settled = queued.map(() => false);
      queued.forEach((answer, i) => void answer.then(() => (settled[i] = true)));
      // One for the thread to rank and two behind it: the calling thread leaves them all to it.
      for (let turn = 0; turn < 5; turn++) await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toEqual([false, false, false]);
      // A third behind it: the calling thread takes back the oldest one the thread has not claimed.
      queued.push(away());
      expect(await Promise.race(queued)).toBeUndefined();
      // Meanwhile a listing is ranked on the calling thread alone: exact, and nothing fell back.
      expect(one.rank(subjects, s, others, request)).toEqual(whole(request));
      const gate = new BroadcastChannel(RANK_GATE);
      gate.postMessage('open');
      gate.close();
      const answers = await Promise.all(queued);
      expect(answers.filter((answer) => answer === undefined)).toHaveLength(1);
      for (const answer of answers.filter((answer) => answer !== undefined))
        expect(answer).toEqual(whole(request));
      expect(await one.rankAway(subjects, s, others, request)).toEqual(whole(request));
      expect(one.fallbacks).toBe(0);
      await one.close();
    });

    it('answer undefined for a listing away that its thread fails, is late with, or dies on', async () => {
      const [c] = fc.sample(arbCase(), { numRuns: 1, seed: 12 });
      const { subjects, s, others, request } = setUp(c!);
      const failing = new RankPool(1, { waitMs: 60_000, workerUrl: fixture('failing') });
      await failing.ready();
      expect(await failing.rankAway(subjects, s, others, request)).toBeUndefined();
      expect(failing.fallbacks).toBe(1);
      expect(failing.rankAway(subjects, s, others, request)).toBeDefined(); // the thread is kept
      await failing.close();

      const silent = new RankPool(1, { waitMs: 50, workerUrl: fixture('silent') });
      await silent.ready();
      expect(await silent.rankAway(subjects, s, others, request)).toBeUndefined();
      expect(silent.fallbacks).toBe(1);
      await silent.close();

      // A thread that dies while it ranks wakes the listing at once, not after the wait. It never
      // answers (a real thread could finish a small listing before it is terminated).
      const dying = new RankPool(1, { waitMs: 600_000, workerUrl: fixture('silent') });
      await dying.ready();
      const away = dying.rankAway(subjects, s, others, request);
      await dying.close();
      expect(await away).toBeUndefined();
    });

    it('wake every listing queued on a thread that dies holding them, without waiting for its time', async () => {
      const [c] = fc.sample(arbCase(), { numRuns: 1, seed: 13 });
      const { subjects, s, others, request } = setUp(c!);
      const dying = new RankPool(1, { waitMs: 600_000, workerUrl: fixture('dying-holding') });
      await dying.ready();
      const queued = [
        dying.rankAway(subjects, s, others, request),
        dying.rankAway(subjects, s, others, request),
      ];
      expect(queued.every((away) => away !== undefined)).toBe(true);
      // Both come back for the caller to rank: the claimed one when the thread dies (within the
      // test's time, not the pool's ten minutes), the other taken back or failed with it.
      const late = new Promise((resolve) => setTimeout(() => resolve('late'), 5000));
      expect(await Promise.race([Promise.all(queued), late])).toEqual([undefined, undefined]);
      // The dead thread is replaced: a new one is ready (the dead one would count as stuck). This
      // fixture cannot rank, so no listing is sent to it.
      await dying.ready();
      expect(dying.readyCount).toBe(1);
      await dying.close();
    });

    const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

    /** Ranks three random cases with `pool`, awaiting `before` first each time; all must be exact. */
    async function rankThree(broken: RankPool, before: () => Promise<void>) {
      await fc.assert(
        fc.asyncProperty(arbCase(), async (c) => {
          await before();
          const { subjects, s, others, whole, request } = setUp(c);
          expect(broken.rank(subjects, s, others, request)).toEqual(whole(request));
        }),
        { numRuns: 3 },
      );
    }

    it('send no range to a thread that is still starting', async () => {
      // The thread fails each range at once: a busy machine must not make it late instead.
      const broken = new RankPool(1, { waitMs: 60_000, lateFloorMs: 60_000, workerUrl: fixture('failing') });
      // The thread starts with the first listing; synchronously, it cannot be ready for any of these.
      fc.assert(
        fc.property(arbCase(), (c) => {
          const { subjects, s, others, whole, request } = setUp(c);
          expect(broken.rank(subjects, s, others, request)).toEqual(whole(request));
        }),
        { numRuns: 3 },
      );
      expect(broken.fallbacks).toBe(0);
      await broken.ready();
      await rankThree(broken, async () => {});
      expect(broken.fallbacks).toBe(3);
      await broken.close();
    });

    it('rank a range on the calling thread when its thread fails it, and keep the thread', async () => {
      let gaveUp = 0;
      const broken = new RankPool(1, {
        onGiveUp: () => gaveUp++,
        waitMs: 60_000,
        lateFloorMs: 60_000, // it fails each range at once: never late, however busy the machine
        workerUrl: fixture('failing'),
      });
      await rankThree(broken, () => broken.ready());
      expect(broken.fallbacks).toBe(3);
      expect(broken.usable).toBe(true);
      expect(gaveUp).toBe(0);
      await broken.close();
    });

    it('replace a thread that does not answer in time; after three in a row, stop waiting on threads', async () => {
      let gaveUp = 0;
      // The thread never answers, so this short wait always runs out, however busy the machine.
      const broken = new RankPool(1, { onGiveUp: () => gaveUp++, waitMs: 50, workerUrl: fixture('silent') });
      // Past the wait, the thread still holding its range is replaced before the next listing.
      const pastTheWait = async () => {
        await sleep(100);
        await broken.ready();
      };
      await rankThree(broken, pastTheWait);
      expect(broken.fallbacks).toBe(3);
      expect(gaveUp).toBe(0);
      await pastTheWait();
      expect(broken.usable).toBe(false);
      expect(gaveUp).toBe(1);
      await broken.close();
    });

    it('rank a range on the calling thread soon when its thread hangs on it, and give that thread nothing more', async () => {
      let gaveUp = 0;
      const hanging = new RankPool(1, {
        onGiveUp: () => gaveUp++,
        waitMs: 60_000,
        workerUrl: fixture('hanging'),
      });
      await hanging.ready();
      const [c] = fc.sample(arbCase(), { numRuns: 1, seed: 14 });
      const { subjects, s, others, whole, request } = setUp(c!);
      const started = performance.now();
      expect(hanging.rank(subjects, s, others, request)).toEqual(whole(request));
      // The thread is alive and has claimed its range: only the short wait after the calling
      // thread's own range ends it, not the pool's minute.
      expect(performance.now() - started).toBeLessThan(20_000);
      expect(hanging.fallbacks).toBe(1);
      // Until it answers (or the minute passes and it is replaced) it gets no range and no listing.
      expect(hanging.rank(subjects, s, others, request)).toEqual(whole(request));
      expect(hanging.rankAway(subjects, s, others, request)).toBeUndefined();
      expect(hanging.fallbacks).toBe(1);
      expect(hanging.usable).toBe(true);
      expect(gaveUp).toBe(0);
      await hanging.close();
    });

    it('take back a range its thread has not started by then, and use the thread again once it skipped it', async () => {
      const one = new RankPool(1, { waitMs: 60_000, workerUrl: fixture('gated') });
      await one.ready();
      const [c] = fc.sample(arbCase(), { numRuns: 1, seed: 15 });
      const { subjects, s, others, whole, request } = setUp(c!);
      // The thread holds the range unclaimed until the gate opens: the calling thread takes it back.
      expect(one.rank(subjects, s, others, request)).toEqual(whole(request));
      expect(one.fallbacks).toBe(1);
      expect(one.rankAway(subjects, s, others, request)).toBeUndefined();
      const gate = new BroadcastChannel(RANK_GATE);
      gate.postMessage('open');
      gate.close();
      // Once the thread has met the range and left it, it takes listings again (not replaced).
      let away = one.rankAway(subjects, s, others, request);
      for (const until = performance.now() + 30_000; away === undefined && performance.now() < until; ) {
        await sleep(20);
        away = one.rankAway(subjects, s, others, request);
      }
      expect(await away).toEqual(whole(request));
      expect(one.rank(subjects, s, others, request)).toEqual(whole(request));
      expect(one.fallbacks).toBe(1);
      expect(one.usable).toBe(true);
      await one.close();
    });

    it('rank a range on the calling thread as soon as its thread dies on it, not after the wait', async () => {
      // Its death is what ends the wait, not lateness, however busy the machine.
      const dying = new RankPool(1, {
        waitMs: 60_000,
        lateFloorMs: 60_000,
        workerUrl: fixture('dying-on-range'),
      });
      await fc.assert(
        fc.asyncProperty(arbCase(), async (c) => {
          await dying.ready();
          const { subjects, s, others, whole, request } = setUp(c);
          const started = performance.now();
          expect(dying.rank(subjects, s, others, request)).toEqual(whole(request));
          // Blocked in Atomics.wait, the calling thread cannot hear the worker's 'exit'; it sees
          // its OS thread gone (Linux: /proc) within ALIVE_CHECK_MS, not after the 60 s wait.
          expect(performance.now() - started).toBeLessThan(20_000);
        }),
        { numRuns: 3 },
      );
      expect(dying.fallbacks).toBe(3);
      await dying.close();
    });

    it('replace a thread that dies; after three in a row, stop starting threads', async () => {
      let gaveUp = 0;
      const broken = new RankPool(1, { onGiveUp: () => gaveUp++, workerUrl: fixture('crashing') });
      await rankThree(broken, () => broken.ready());
      // A dead thread is never sent a range: the calling thread ranked everything.
      expect(broken.fallbacks).toBe(0);
      expect(broken.usable).toBe(false);
      expect(gaveUp).toBe(1);
      await broken.close();
    });
  });
});
