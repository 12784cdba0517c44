/**
 * Impact-ordered traversal: rows are put in buckets by an upper bound of their mutual score (a
 * counting sort into BUCKETS buckets, best first), so scoring can stop at the first bucket whose
 * ceiling cannot beat the heap's worst row.
 */

export const BUCKETS = 1024;

/** The highest mutual score a row of bucket `r` (0 is the best bucket) can have. */
export function bucketCeiling(r: number): number {
  return (BUCKETS - r) / BUCKETS;
}

/** The bucket of a row whose mutual score is at most `ceiling`; −1 (left out) for a negative one. */
export function bucketOfCeiling(ceiling: number): number {
  return ceiling < 0 ? -1 : BUCKETS - 1 - Math.min(BUCKETS - 1, Math.floor(ceiling * BUCKETS));
}

/**
 * Orders positions 0..count−1 by their `buckets` (−1: left out), best bucket first. Bucket r holds
 * order[starts[r]..starts[r + 1]); returns `starts`.
 */
export function orderByBucket(buckets: Int16Array, count: number, order: Int32Array): Int32Array {
  const starts = new Int32Array(BUCKETS + 1);
  for (let k = 0; k < count; k++) {
    const r = buckets[k]!;
    if (r >= 0) starts[r + 1]!++;
  }
  for (let r = 0; r < BUCKETS; r++) starts[r + 1]! += starts[r]!;
  const next = starts.slice();
  for (let k = 0; k < count; k++) {
    const r = buckets[k]!;
    if (r >= 0) order[next[r]!++] = k;
  }
  return starts;
}

/** Cells a loss table cuts the subject's weight into: about a bucket's width of the score each. */
export const LOSS_CELLS = 2048;

/**
 * Buckets by the weight a row lost, without a division per row. A row's ceiling only falls as its
 * loss grows, so the weight is cut into LOSS_CELLS cells and a cell takes the bucket and ceiling of
 * a loss one cell below its lower edge: however the cell's index rounds, a row goes into its own
 * bucket or a better one. That costs the scoring of a few rows more at the heap's edge, never a
 * row skipped (a 100k listing spent a tenth of its ranking on two divisions a row here).
 */
export interface LossBuckets {
  /** a loss times this is its cell (before LOSS_CELLS caps it) */
  scale: number;
  /** per cell: the bucket of its rows, −1 when none of them can be kept */
  buckets: Int16Array;
  /** per cell: the ceiling its bucket was taken from */
  ceilings: Float64Array;
}

/** The cells of `weight`, with `ceilingOf(lost)` an upper bound of a row's mutual score (−1: out). */
export function lossBuckets(weight: number, ceilingOf: (lost: number) => number): LossBuckets {
  const scale = weight > 0 ? LOSS_CELLS / weight : 0;
  const buckets = new Int16Array(LOSS_CELLS + 1);
  const ceilings = new Float64Array(LOSS_CELLS + 1);
  for (let cell = 0; cell <= LOSS_CELLS; cell++) {
    const ceiling = ceilingOf(Math.max(0, ((cell - 1) * weight) / LOSS_CELLS));
    ceilings[cell] = ceiling;
    buckets[cell] = bucketOfCeiling(ceiling);
  }
  return { scale, buckets, ceilings };
}

/** The cell of a row that lost `lost`. */
export function lossCell(table: LossBuckets, lost: number): number {
  return Math.min(LOSS_CELLS, Math.floor(lost * table.scale));
}
