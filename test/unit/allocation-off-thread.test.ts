import { setImmediate as nextTurn } from 'node:timers/promises';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { countBlockingPairs } from '../../src/allocation/blocking-pairs.ts';
import { allocate } from '../../src/allocation/deferred-acceptance.ts';
import { decodeInput, encodeInput } from '../../src/allocation/encoding.ts';
import { AllocationSlots, AllocationsBusy } from '../../src/allocation/off-thread.ts';
import { preferencesFromMatches } from '../../src/allocation/preferences.ts';
import type { AllocationInput } from '../../src/allocation/types.ts';
import { validateAllocationInput } from '../../src/allocation/validate.ts';
import type { MatchIndex, MatchList } from '../../src/matching/index.ts';

/**
 * Allocations off the event loop (README "Bounded work per request"): the input handed to the
 * allocation thread is the request's input exactly, the thread answers what `allocate`,
 * `countBlockingPairs` and `validateAllocationInput` answer on it, allocations queue one at a
 * time with a bounded queue, and preferences from the matches take one listing per turn.
 */

/** Ids from small pools, so duplicates and preferences naming ids not in the input occur. */
const arbInput: fc.Arbitrary<AllocationInput> = fc.record({
  candidates: fc.array(
    fc.record({
      id: fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'),
      preferences: fc.array(fc.constantFrom('X', 'Y', 'Z', 'W', 'ghost'), { maxLength: 4 }),
    }),
    { maxLength: 6 },
  ),
  jobs: fc.array(
    fc.record({
      id: fc.constantFrom('X', 'Y', 'Z', 'W'),
      capacity: fc.integer({ min: -1, max: 3 }),
      preferences: fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f', 'ghost'), { maxLength: 5 }),
    }),
    { maxLength: 4 },
  ),
});

const slots = new AllocationSlots({ maxWaiting: 1 });
afterAll(() => slots.close());

describe('allocation inputs for the allocation thread', () => {
  it('decode to the input they were encoded from', () => {
    fc.assert(
      fc.property(arbInput, (input) => {
        expect(decodeInput(encodeInput(input))).toEqual(input);
      }),
    );
  });
});

describe('the allocation thread', () => {
  it('answers the problems of an invalid input, or the allocation and its blocking pairs', async () => {
    await fc.assert(
      fc.asyncProperty(arbInput, async (input) => {
        const outcome = await slots.run({ input: encodeInput(input), validate: true });
        const problems = validateAllocationInput(input);
        if (problems.length > 0) expect(outcome).toEqual({ problems });
        else {
          const result = allocate(input);
          expect(outcome).toEqual({ result, blockingPairs: countBlockingPairs(input, result) });
        }
      }),
      { numRuns: 100 },
    );
  });

  it('builds candidates’ lists from offers: their satisfaction descending, ties by job id', async () => {
    const ids = ['J2', 'J1', 'a', 'b'];
    const outcome = await slots.run({
      input: {
        ids,
        candidates: new Int32Array(0),
        candidatePreferences: { offsets: new Int32Array(1), items: new Int32Array(0) },
        jobs: Int32Array.of(0, 1),
        capacities: Float64Array.of(1, 1),
        jobPreferences: { offsets: Int32Array.of(0, 2, 4), items: Int32Array.of(2, 3, 2, 3) },
      },
      offers: {
        candidate: Int32Array.of(2, 3, 2, 3),
        job: Int32Array.of(0, 0, 1, 1),
        satisfaction: Float64Array.of(0.5, 0.9, 0.5, 0.8),
      },
      validate: false,
    });
    // a: J1 and J2 tie (J1 first by id); b prefers J2. Both jobs prefer a.
    expect(outcome).toEqual({
      result: {
        assignments: [
          { jobId: 'J1', candidateId: 'a' },
          { jobId: 'J2', candidateId: 'b' },
        ],
        unassigned: [],
      },
      blockingPairs: 0,
    });
  });
});

describe('allocation slots', () => {
  it('reject an allocation whose thread dies, and start a new thread for the next', async () => {
    const dying = new AllocationSlots({ workerUrl: new URL('data:text/javascript,process.exit(3)') });
    const task = () => ({ input: encodeInput({ candidates: [], jobs: [] }), validate: true });
    await expect(dying.run(task())).rejects.toThrow(/exit code 3/);
    await expect(dying.run(task())).rejects.toThrow(/exit code 3/);
    await dying.close();
  });

  it('run one allocation at a time, queue the next and refuse more as busy', async () => {
    const order: string[] = [];
    let finishFirst = () => {};
    const first = slots.use(async () => {
      order.push('first starts');
      await new Promise<void>((resolve) => {
        finishFirst = resolve;
      });
      order.push('first ends');
    });
    const second = slots.use(async () => {
      order.push('second starts');
    });
    await expect(slots.use(async () => 'third')).rejects.toBeInstanceOf(AllocationsBusy);
    await nextTurn();
    expect(order).toEqual(['first starts']);
    finishFirst();
    await Promise.all([first, second]);
    expect(order).toEqual(['first starts', 'first ends', 'second starts']);
    expect(await slots.use(async () => 'later')).toBe('later');
  });
});

describe('preferences from the matches', () => {
  it('take one listing per turn of the event loop, so other work runs between listings ranked on it', async () => {
    const events: string[] = [];
    const jobs = ['j1', 'j2', 'j3'].map((id) => ({ id, capacity: 1 }));
    // No rank thread: each listing is ranked at once on the calling thread.
    const index = {
      matchesOfAway: async (_workspace: string, _side: string, id: string): Promise<MatchList> => {
        events.push(`list ${id}`);
        setImmediate(() => events.push(`other after ${id}`));
        return { questionnaireId: 'q', questionnaireVersion: 1, rows: [], hasMore: false };
      },
    } as unknown as MatchIndex;
    await preferencesFromMatches(index, 'w', jobs, 'harmonic');
    expect(events.slice(0, 5)).toEqual(['list j1', 'other after j1', 'list j2', 'other after j2', 'list j3']);
  });
});
