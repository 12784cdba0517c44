import { MISSING_CODE } from '../levels.ts';

/**
 * A number's place in its criterion's range as a byte: codes 0..254 cut the range into 255 equal
 * parts (code 0 also takes what is below it, code 254 what is above), MISSING_CODE is no value.
 * Each row's code sits beside its value (Layout.rangeCodeSlot), derived from it whenever the row is
 * written (columnar-store.ts), and is never stored: the packed rows hold the values only.
 *
 * What it is for: narrowing a listing (max-score.ts) bounds a row's loss on a number criterion by
 * a table look-up on its code, as for single and scale (code-table.ts `CodeLoss`), instead of
 * reading an 8-byte value and computing sat: a byte column is an eighth of the memory, and the
 * step joins the code tables' passes. The table holds, per code, the least loss of any value the
 * code holds (`rangeLosses`), so the bound never exceeds a row's loss and listings stay exact.
 */
export const RANGE_CODES = 255;

/** edges[b] is code b's lower edge (edges[0] = −∞; edges[255] = +∞): code b holds edges[b] ≤ x < edges[b + 1]. */
export function rangeEdges(min: number, max: number): Float64Array {
  const edges = new Float64Array(RANGE_CODES + 1);
  edges[0] = Number.NEGATIVE_INFINITY;
  for (let b = 1; b < RANGE_CODES; b++) edges[b] = min + ((max - min) * b) / RANGE_CODES;
  edges[RANGE_CODES] = Number.POSITIVE_INFINITY;
  return edges;
}

/** The code of `x` (NaN: MISSING_CODE): estimated by its place in the range, then settled by the edges themselves. */
export function rangeCodeOf(edges: Float64Array, x: number): number {
  if (Number.isNaN(x)) return MISSING_CODE;
  const first = edges[1]!;
  const guess = 1 + Math.floor(((x - first) / (edges[RANGE_CODES - 1]! - first)) * (RANGE_CODES - 2));
  let b = guess >= 0 ? Math.min(guess, RANGE_CODES - 1) : 0; // NaN (an empty range): 0
  while (b > 0 && edges[b]! > x) b--;
  while (b < RANGE_CODES - 1 && edges[b + 1]! <= x) b++;
  return b;
}

/**
 * Per code, the least w·(1 − sat) of the values it holds, for an expectation of `[min, max]` whose
 * sat falls as a value moves away from it (number.ts `numberSat`, rounding included): a code below
 * the range loses what its upper edge loses, one above it what its lower edge loses, and one that
 * meets the range nothing. MISSING_CODE loses nothing (a row without a value loses nothing).
 */
export function rangeLosses(
  edges: Float64Array,
  min: number,
  max: number,
  w: number,
  sat: (x: number) => number,
): Float64Array {
  const losses = new Float64Array(256);
  for (let b = 0; b < RANGE_CODES; b++) {
    const [lower, upper] = [edges[b]!, edges[b + 1]!];
    if (upper <= min) losses[b] = w * (1 - sat(upper));
    else if (lower > max) losses[b] = w * (1 - sat(lower));
  }
  return losses;
}
