import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  allocationViolations,
  countBlockingPairs,
  isValidAllocation,
} from '../../src/allocation/blocking-pairs.ts';
import { allocate } from '../../src/allocation/deferred-acceptance.ts';
import type { AllocationInput, AllocationResult } from '../../src/allocation/types.ts';
import { ALLOCATION_LIMITS, validateAllocationInput } from '../../src/allocation/validate.ts';

/** A compact way to write instances: `{ A: ['X', 'Y'] }` and `{ X: [1, ['A']] }` (capacity, list). */
function market(
  candidates: Record<string, string[]>,
  jobs: Record<string, [number, string[]]>,
): AllocationInput {
  return {
    candidates: Object.entries(candidates).map(([id, preferences]) => ({ id, preferences })),
    jobs: Object.entries(jobs).map(([id, [capacity, preferences]]) => ({ id, capacity, preferences })),
  };
}

/** candidateId → jobId, or undefined when unassigned. */
type Matching = Map<string, string | undefined>;

function toMatching(result: AllocationResult): Matching {
  const matching: Matching = new Map(result.unassigned.map((c) => [c, undefined]));
  for (const { jobId, candidateId } of result.assignments) matching.set(candidateId, jobId);
  return matching;
}

/** The definition, pair by pair, with nothing precomputed: a third, naive blocking-pair count. */
function naiveBlockingPairs(input: AllocationInput, matching: Matching): number {
  let count = 0;
  for (const c of input.candidates) {
    for (const j of input.jobs) {
      if (!c.preferences.includes(j.id) || !j.preferences.includes(c.id)) continue;
      const own = matching.get(c.id);
      if (own === j.id) continue;
      const candidateWants = own === undefined || c.preferences.indexOf(j.id) < c.preferences.indexOf(own);
      const held = input.candidates.filter((h) => matching.get(h.id) === j.id).map((h) => h.id);
      const rank = (id: string) => j.preferences.indexOf(id);
      const jobWants = held.length < j.capacity || held.some((h) => rank(c.id) < rank(h));
      if (candidateWants && jobWants) count++;
    }
  }
  return count;
}

/** Every valid allocation (capacities respected, pairs mutually acceptable) of a small instance. */
function allAllocations(input: AllocationInput): Matching[] {
  const out: Matching[] = [];
  const load = new Map(input.jobs.map((j) => [j.id, 0]));
  const current: Matching = new Map();
  const visit = (i: number) => {
    if (i === input.candidates.length) return void out.push(new Map(current));
    const c = input.candidates[i]!;
    current.set(c.id, undefined);
    visit(i + 1);
    for (const j of input.jobs) {
      if (!c.preferences.includes(j.id) || !j.preferences.includes(c.id) || load.get(j.id)! >= j.capacity)
        continue;
      load.set(j.id, load.get(j.id)! + 1);
      current.set(c.id, j.id);
      visit(i + 1);
      load.set(j.id, load.get(j.id)! - 1);
    }
  };
  visit(0);
  return out;
}

/** How c ranks its job in a matching; unassigned is worst. */
function candidateRank(input: AllocationInput, matching: Matching, candidateId: string): number {
  const job = matching.get(candidateId);
  const c = input.candidates.find((x) => x.id === candidateId)!;
  return job === undefined ? Number.POSITIVE_INFINITY : c.preferences.indexOf(job);
}

const idArb = fc.string({ minLength: 1, maxLength: 3 });

interface Shape {
  candidates: number;
  jobs: number;
  capacity: number;
  /** At least this many candidates and jobs; every list complete (rival stable matchings are then likely). */
  dense?: { candidates: number; jobs: number };
}

/** Random instances: unique short ids, each list a random part of the other side in random order. */
function instanceArb(shape: Shape): fc.Arbitrary<AllocationInput> {
  const list = (ids: string[]) => fc.shuffledSubarray(ids, { minLength: shape.dense ? ids.length : 0 });
  return fc
    .tuple(
      fc.uniqueArray(idArb, { minLength: shape.dense?.candidates ?? 0, maxLength: shape.candidates }),
      fc.uniqueArray(idArb, { minLength: shape.dense?.jobs ?? 0, maxLength: shape.jobs }),
    )
    .chain(([candidateIds, jobIds]) =>
      fc.record({
        candidates: fc.tuple(
          ...candidateIds.map((id) => list(jobIds).map((preferences) => ({ id, preferences }))),
        ),
        jobs: fc.tuple(
          ...jobIds.map((id) =>
            fc
              .tuple(fc.integer({ min: 0, max: shape.capacity }), list(candidateIds))
              .map(([capacity, preferences]) => ({ id, capacity, preferences })),
          ),
        ),
      }),
    );
}

const anyInstance = fc.oneof(
  instanceArb({ candidates: 12, jobs: 6, capacity: 3 }),
  // Crowded: few jobs with many seats, so held candidates are displaced from deep heaps.
  instanceArb({ candidates: 30, jobs: 3, capacity: 12, dense: { candidates: 15, jobs: 1 } }),
);
/** Small enough to enumerate every allocation: ≤ 6 candidates, ≤ 4 jobs, capacities ≤ 2. */
const smallInstance = fc.oneof(
  instanceArb({ candidates: 6, jobs: 4, capacity: 2 }),
  instanceArb({ candidates: 6, jobs: 4, capacity: 2, dense: { candidates: 3, jobs: 2 } }),
  instanceArb({ candidates: 4, jobs: 4, capacity: 1, dense: { candidates: 3, jobs: 3 } }),
);

/** A result written as `'X:a X:b | c'`: job:candidate assignments, then the unassigned. */
function outcome(text: string): AllocationResult {
  const [pairs = '', rest = ''] = text.split('|');
  const words = (part: string) => part.split(' ').filter((w) => w.length > 0);
  return {
    assignments: words(pairs).map((pair) => {
      const [jobId = '', candidateId = ''] = pair.split(':');
      return { jobId, candidateId };
    }),
    unassigned: words(rest),
  };
}

describe('allocate', () => {
  it('gives every candidate its first choice in the textbook cyclic instance (candidate-optimal)', () => {
    const input = market(
      { A: ['X', 'Y', 'Z'], B: ['Y', 'Z', 'X'], C: ['Z', 'X', 'Y'] },
      { X: [1, ['B', 'C', 'A']], Y: [1, ['C', 'A', 'B']], Z: [1, ['A', 'B', 'C']] },
    );
    expect(allocate(input)).toEqual(outcome('X:A Y:B Z:C |'));
    // Three stable matchings exist (each side's first choices, and the middle one).
    expect(allAllocations(input).filter((m) => naiveBlockingPairs(input, m) === 0)).toHaveLength(3);
  });

  it('follows a rejection chain: displaced candidates move down their lists', () => {
    const input = market(
      { c1: ['J1', 'J2'], c2: ['J1', 'J2'], c3: ['J1'] },
      { J1: [1, ['c3', 'c2', 'c1']], J2: [1, ['c1', 'c2']] },
    );
    expect(allocate(input)).toEqual(outcome('J1:c3 J2:c1 | c2'));
  });

  it('fills capacities above 1 with the best proposers and displaces the worst held one', () => {
    const input = market(
      { a: ['big', 'small'], b: ['big', 'small'], c: ['big', 'small'], d: ['big'], e: ['small'] },
      { big: [2, ['d', 'c', 'b', 'a']], small: [2, ['a', 'e', 'b', 'c']] },
    );
    expect(allocate(input)).toEqual(outcome('big:c big:d small:a small:e | b'));
  });

  it('never matches a pair that one side does not list, even with free seats', () => {
    const input = market({ a: ['X'], b: [] }, { X: [5, ['b']] });
    const result = allocate(input);
    expect(result).toEqual(outcome('| a b'));
    expect(countBlockingPairs(input, result)).toBe(0);
  });

  it('handles empty inputs and empty lists', () => {
    expect(allocate({ candidates: [], jobs: [] })).toEqual({ assignments: [], unassigned: [] });
    expect(allocate(market({}, { X: [1, []] }))).toEqual({ assignments: [], unassigned: [] });
    expect(allocate(market({ b: [], a: [] }, {}))).toEqual({ assignments: [], unassigned: ['a', 'b'] });
  });

  it('sorts output by jobId then candidateId in code-unit order', () => {
    const ids = ['é', 'z', 'Z', '10', '9'];
    const candidates = Object.fromEntries(ids.map((id) => [id, ['j', 'J']]));
    const input = market(candidates, { j: [3, ['z', 'é', '10']], J: [9, ids] });
    expect(allocate(input)).toEqual(outcome('J:9 J:Z j:10 j:z j:é |'));
  });
});

describe('validateAllocationInput', () => {
  const long = 'x'.repeat(ALLOCATION_LIMITS.idLength + 1);
  const ids = (...list: string[]) => list.map((id) => ({ id, capacity: 1, preferences: [] }));
  const cases: [string, AllocationInput, string, RegExp][] = [
    ['an empty id', market({ '': [] }, {}), 'candidates[0].id', /non-empty/],
    ['an over-long id', market({}, { ok: [1, []], [long]: [1, []] }), 'jobs[1].id', /65 characters/],
    [
      'a duplicate candidate id',
      { candidates: ids('a', 'b', 'a'), jobs: [] },
      'candidates[2].id',
      /candidates\[0\]/,
    ],
    [
      'a duplicate job id',
      { candidates: [], jobs: ids('X', 'X') },
      'jobs[1].id',
      /duplicates jobs\[0\]\.id \("X"\)/,
    ],
    [
      'a repeated entry',
      market({ a: ['X', 'Y', 'X'] }, { X: [1, []], Y: [1, []] }),
      'candidates[0].preferences[2]',
      /repeats job "X" \(first at candidates\[0\]\.preferences\[0\]\)/,
    ],
    [
      'an unknown id',
      market({ a: [] }, { X: [1, ['a', 'ghost']] }),
      'jobs[0].preferences[1]',
      /candidate "ghost", which is not in the input/,
    ],
    ['a negative capacity', market({}, { X: [-1, []] }), 'jobs[0].capacity', /integer ≥ 0, got -1/],
    ['a fractional capacity', market({}, { X: [1.5, []] }), 'jobs[0].capacity', /integer ≥ 0, got 1.5/],
    [
      'an over-long list',
      market({ a: Array.from({ length: 1001 }, (_, i) => `j${i}`) }, {}),
      'candidates[0].preferences',
      /1001 entries/,
    ],
  ];

  it.each(cases)('names %s with its path', (_, input, path, message) => {
    expect(validateAllocationInput(input)).toContainEqual({ path, message: expect.stringMatching(message) });
  });

  it('refuses too many candidates, jobs or entries before looking further', () => {
    const candidates = Array.from({ length: ALLOCATION_LIMITS.candidates + 1 }, () => ({
      id: '',
      preferences: [],
    }));
    const jobs = ids(...Array.from({ length: ALLOCATION_LIMITS.jobs + 1 }, () => 'X'));
    expect(validateAllocationInput({ candidates, jobs }).map((p) => p.path)).toEqual(['candidates', 'jobs']);
    const shared = Array.from({ length: ALLOCATION_LIMITS.listEntries }, (_, i) => `j${i}`);
    const many = Array.from({ length: 20_001 }, (_, i) => ({ id: `c${i}`, preferences: shared }));
    expect(validateAllocationInput({ candidates: many, jobs: [] })).toEqual([
      { path: '', message: expect.stringMatching(/20001000 preference entries/) },
    ]);
  });

  it('lists at most 100 problems, then how many more', () => {
    const input = market({ a: Array.from({ length: 250 }, (_, i) => `ghost${i}`) }, {});
    const problems = validateAllocationInput(input);
    expect(problems).toHaveLength(ALLOCATION_LIMITS.problems + 1);
    expect(problems[0]).toEqual({
      path: 'candidates[0].preferences[0]',
      message: expect.stringMatching(/ghost0/),
    });
    expect(problems.at(-1)).toEqual({ path: '', message: '… and 150 more problems' });
  });

  it('accepts every well-formed instance', () => {
    fc.assert(
      fc.property(anyInstance, (input) => {
        expect(validateAllocationInput(input)).toEqual([]);
      }),
    );
  });
});

describe('allocationViolations', () => {
  const input = market({ a: ['X'], b: ['X', 'Y'], c: ['Y'] }, { X: [1, ['a', 'b']], Y: [1, ['b']] });
  const cases: [string, string, RegExp][] = [
    ['a job over capacity', 'X:a X:b | c', /X holds 2 candidates, over its capacity 1/],
    ['a candidate assigned twice', 'X:b Y:b | a c', /b is assigned to X and also assigned to Y/],
    ['a candidate both assigned and unassigned', 'X:a | a b c', /a is assigned to X and also unassigned/],
    ['a pair the job does not list', 'Y:c | a b', /Y holds 1 candidate\(s\) it does not list/],
    ['a pair the candidate does not list', 'Y:a | b c', /a does not list job Y/],
    ['a missing candidate', '| a b', /c is missing/],
    ['an unknown id', 'Z:a | b c d', /unknown job "Z"/],
  ];

  it.each(cases)('reports %s', (_, text, message) => {
    expect(allocationViolations(input, outcome(text))).toContainEqual(expect.stringMatching(message));
    expect(isValidAllocation(input, outcome(text))).toBe(false);
  });

  it('accepts a valid allocation', () => {
    expect(allocationViolations(input, allocate(input))).toEqual([]);
  });
});

describe('allocation properties', () => {
  it('gives a valid allocation with no blocking pair, by both counters', () => {
    fc.assert(
      fc.property(anyInstance, (input) => {
        const result = allocate(input);
        expect(allocationViolations(input, result)).toEqual([]);
        expect(countBlockingPairs(input, result)).toBe(0);
        expect(naiveBlockingPairs(input, toMatching(result))).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('counts blocking pairs of any valid allocation like the naive definition', () => {
    const arb = smallInstance.chain((input) => {
      const all = allAllocations(input);
      return fc.tuple(fc.constant(input), fc.constantFrom(...all));
    });
    fc.assert(
      fc.property(arb, ([input, matching]) => {
        const result: AllocationResult = { assignments: [], unassigned: [] };
        for (const [candidateId, jobId] of matching) {
          if (jobId === undefined) result.unassigned.push(candidateId);
          else result.assignments.push({ jobId, candidateId });
        }
        expect(isValidAllocation(input, result)).toBe(true);
        expect(countBlockingPairs(input, result)).toBe(naiveBlockingPairs(input, matching));
      }),
      { numRuns: 300 },
    );
  });

  it('is the candidate-optimal stable matching, by brute force over all allocations', () => {
    const assignedIds = (m: Matching) => [...m.keys()].filter((c) => m.get(c) !== undefined).sort();
    const seats = (m: Matching, jobId: string) => [...m.values()].filter((j) => j === jobId).length;
    let several = 0;
    fc.assert(
      fc.property(smallInstance, (input) => {
        const ours = toMatching(allocate(input));
        const stable = allAllocations(input).filter((m) => naiveBlockingPairs(input, m) === 0);
        if (stable.length > 1) several++;
        expect(stable.some((m) => [...m].every(([c, j]) => ours.get(c) === j))).toBe(true);
        for (const other of stable) {
          for (const { id } of input.candidates) {
            expect(candidateRank(input, ours, id)).toBeLessThanOrEqual(candidateRank(input, other, id));
          }
          // Rural hospitals: the same candidates are assigned, and each job fills as many seats.
          expect(assignedIds(other)).toEqual(assignedIds(ours));
          for (const { id } of input.jobs) expect(seats(other, id)).toBe(seats(ours, id));
        }
      }),
      { numRuns: 500 },
    );
    // Optimality only bites when there is a choice; about one dense instance in ten offers one.
    expect(several).toBeGreaterThan(0);
  });

  it('is deterministic and ignores the order of candidates and jobs', () => {
    const arb = anyInstance.chain((input) =>
      fc.tuple(
        fc.constant(input),
        fc.shuffledSubarray(input.candidates, { minLength: input.candidates.length }),
        fc.shuffledSubarray(input.jobs, { minLength: input.jobs.length }),
      ),
    );
    fc.assert(
      fc.property(arb, ([input, candidates, jobs]) => {
        const result = allocate(input);
        expect(allocate(input)).toEqual(result);
        expect(allocate({ candidates, jobs })).toEqual(result);
      }),
      { numRuns: 200 },
    );
  });
});
