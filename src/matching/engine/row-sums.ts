import { EPSILON } from '../score.ts';
import { DEALBREAKER_LEVEL, LEVEL_WEIGHTS } from './levels.ts';

/**
 * Rows scored together for S(row→subject), in parallel arrays. The kinds' reverse loops keep two
 * sums a row: `weighted` and `remaining`; the weight scored is how far `remaining` fell (whole
 * numbers: exact), so a third sum of the weights would only repeat it.
 */
export interface RowBatch {
  rows: Int32Array;
  /** running Σ w·sat */
  weighted: Float64Array;
  /** falls by each scored criterion's weight; a broken criterion leaves it (and `weighted`) as it was */
  remaining: Float64Array;
  /** the positions of the rows the last `add` broke, in order (as many as it returns) */
  brokenAt: Int32Array;
}

/**
 * Adds one row's w·sat (the row's own importance `level`) to position k of a batch's sums and takes
 * w off its `remaining`, as the pair scorer adds them; a dealbreaker not fully met breaks the row
 * (returns 1, the sums left as they were).
 */
export function addToBatch(
  k: number,
  level: number,
  sat: number,
  weighted: Float64Array,
  remaining: Float64Array,
): number {
  if (level === DEALBREAKER_LEVEL && sat < 1 - EPSILON) return 1;
  const weight = LEVEL_WEIGHTS[level]!;
  remaining[k] = remaining[k]! - weight;
  weighted[k] = weighted[k]! + weight * sat;
  return 0;
}
