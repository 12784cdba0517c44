import { EPSILON } from '../score.ts';
import { pairSatOf } from './kinds/index.ts';
import { hasValue, type RowArrays } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS, LEVEL_WEIGHTS } from './levels.ts';

/** What satisfactionOf answers when a dealbreaker is not fully met. */
export const BROKEN = -1;

/**
 * Exact scoring of one pair, a row at a time: S(expecting→valued), how well row `v` of `V` meets
 * the expectations of row `e` of `E`, or BROKEN when a dealbreaker of `e` is not fully met. The
 * arithmetic (order of the sums included) is the reference scorer's, so the two agree to the last
 * bit. The column-at-a-time stages (forward-score.ts, reverse-score.ts) compute the same numbers for
 * many rows at once; this one serves the few rows scored one by one.
 */
export function satisfactionOf(E: RowArrays, e: number, V: RowArrays, v: number): number {
  const layout = E.layout;
  const { bytes } = layout.record;
  const levels = E.levels;
  let weighted = 0;
  let total = 0;
  for (let c = 0; c < layout.count; c++) {
    const levelByte = levels[e * bytes + c]!;
    const level = levelByte & LEVEL_BITS;
    if (level === 0) continue;
    const sat = pairSatOf(layout.kinds[c]!, E, e, V, v, c, levelByte);
    if (sat < 0) {
      if (level === DEALBREAKER_LEVEL) return BROKEN;
      continue;
    }
    if (level === DEALBREAKER_LEVEL && sat < 1 - EPSILON) return BROKEN;
    const weight = LEVEL_WEIGHTS[level]!;
    weighted += weight * sat;
    total += weight;
  }
  return total === 0 ? 1 : weighted / total;
}

/** Criteria where both rows gave a value about themselves: the confidence count n. */
export function valuedByBoth(A: RowArrays, a: number, B: RowArrays, b: number): number {
  return valuedAmong(valuedBy(A, a), B, b);
}

/** The criteria row `a` gave a value for (once for the many rows of a listing's page). */
export function valuedBy(A: RowArrays, a: number): number[] {
  const criteria: number[] = [];
  for (let c = 0; c < A.layout.count; c++) if (hasValue(A, a, c)) criteria.push(c);
  return criteria;
}

/** How many of `criteria` row `b` gave a value for. */
export function valuedAmong(criteria: readonly number[], B: RowArrays, b: number): number {
  let n = 0;
  for (const c of criteria) if (hasValue(B, b, c)) n++;
  return n;
}
