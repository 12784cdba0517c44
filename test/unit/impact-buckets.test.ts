import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  BUCKETS,
  bucketCeiling,
  bucketOfCeiling,
  LOSS_CELLS,
  lossBuckets,
  lossCell,
  orderByBucket,
} from '../../src/matching/engine/impact-buckets.ts';
import { mutualScore } from '../../src/matching/score.ts';
import type { ScoreMethod } from '../../src/matching/types.ts';

/** A ceiling as search.ts makes one: the mutual score with S(row→subject) = 1 of the bound 1 − lost/W, −1 under minScore. */
function ceilingOf(weight: number, subjectMin: number, method: ScoreMethod) {
  return (lost: number) => {
    const bound = weight === 0 ? 1 : Math.min(1, 1 - lost / weight + 1e-9);
    return bound < subjectMin ? -1 : mutualScore(bound, 1, method);
  };
}

const arbCase = fc.record({
  weight: fc.oneof(
    fc.constant(0),
    fc.integer({ min: 1, max: 400 }),
    fc.double({ min: 0.01, max: 1e4, noNaN: true }),
  ),
  subjectMin: fc.double({ min: 0, max: 1, noNaN: true }),
  method: fc.constantFrom<ScoreMethod>('harmonic', 'geometric', 'min'),
  shares: fc.array(
    fc.oneof(fc.double({ min: 0, max: 1.01, noNaN: true }), fc.integer({ min: 0, max: LOSS_CELLS })),
    {
      minLength: 1,
      maxLength: 60,
    },
  ),
});

/** An integer share is a loss on a cell's edge, where the cell's index may round either way. */
function lossOf(share: number, weight: number): number {
  return Number.isInteger(share) ? (share * weight) / LOSS_CELLS : share * weight;
}

describe('buckets by loss cells', () => {
  it('put every row in its own bucket or a better one (at most two better where lists are cut), and leave out only rows that cannot be kept', () => {
    fc.assert(
      fc.property(arbCase, ({ weight, subjectMin, method, shares }) => {
        const exact = ceilingOf(weight, subjectMin, method);
        const table = lossBuckets(weight, exact);
        for (const share of shares) {
          const lost = lossOf(share, weight);
          const ceiling = exact(lost);
          const cell = lossCell(table, lost);
          const bucket = table.buckets[cell]!;
          expect(table.ceilings[cell]!, `ceiling of ${lost} of ${weight}`).toBeGreaterThanOrEqual(ceiling);
          if (ceiling < 0) continue;
          expect(bucket, `bucket of ${lost} of ${weight}`).toBeGreaterThanOrEqual(0);
          expect(bucket).toBeLessThanOrEqual(bucketOfCeiling(ceiling));
          expect(bucketCeiling(bucket)).toBeGreaterThanOrEqual(ceiling);
          // where lists are cut (ceilings of a quarter and more); a geometric mean's ceiling, √bound,
          // is too steep near 0 for cells of equal loss
          if (ceiling >= 0.25) expect(bucketOfCeiling(ceiling) - bucket).toBeLessThanOrEqual(2);
        }
      }),
      { numRuns: 2_000 },
    );
  });

  it('order positions best bucket first, the ones left out nowhere', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: -1, max: BUCKETS - 1 }), { maxLength: 300 }), (list) => {
        const buckets = Int16Array.from(list);
        const order = new Int32Array(list.length);
        const starts = orderByBucket(buckets, list.length, order);
        const listed = [...order.subarray(0, starts[BUCKETS]!)];
        expect(listed.map((k) => list[k])).toEqual(list.filter((r) => r >= 0).sort((a, b) => a - b));
        for (let r = 0; r < BUCKETS; r++)
          for (let i = starts[r]!; i < starts[r + 1]!; i++) expect(list[order[i]!]).toBe(r);
      }),
    );
  });
});
