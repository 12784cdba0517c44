import { EPSILON } from '../score.ts';
import { DEALBREAKER_LEVEL, LEVEL_WEIGHTS } from './levels.ts';

/** Rows scored together for S(row→subject), in parallel arrays compacted as rows drop out. */
export interface RowBatch {
  rows: Int32Array;
  /** the least S(row→subject) the caller still wants of each row: rows that provably end below it drop out */
  least: Float64Array;
  /** running Σ w·sat, then S(row→subject) */
  weighted: Float64Array;
  /** running Σ w; NaN once the row is broken */
  total: Float64Array;
  /** at least the weight the row can still add to `total` */
  remaining: Float64Array;
  /** the positions of the rows the last `add` broke, in order (as many as it returns) */
  brokenAt: Int32Array;
}

/**
 * Adds one row's w·sat and w (the row's own importance `level`) to position k of a batch's sums, as the
 * pair scorer adds them; a dealbreaker not fully met breaks the row (returns 1).
 */
export function addToBatch(
  k: number,
  level: number,
  sat: number,
  weighted: Float64Array,
  total: Float64Array,
  remaining: Float64Array,
): number {
  if (level === DEALBREAKER_LEVEL && sat < 1 - EPSILON) {
    total[k] = Number.NaN;
    return 1;
  }
  const weight = LEVEL_WEIGHTS[level]!;
  remaining[k] = remaining[k]! - weight;
  weighted[k] = weighted[k]! + weight * sat;
  total[k] = total[k]! + weight;
  return 0;
}
