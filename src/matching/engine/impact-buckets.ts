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

/**
 * Orders positions 0..count−1 by `ceilings` (bounds of the mutual score in [0, 1]; negative: left
 * out), best bucket first. Bucket r holds order[starts[r]..starts[r + 1]); returns `starts`.
 */
export function orderByCeiling(
  ceilings: Float64Array,
  count: number,
  order: Int32Array,
  bucketOf: Int16Array,
): Int32Array {
  const starts = new Int32Array(BUCKETS + 1);
  for (let k = 0; k < count; k++) {
    const ceiling = ceilings[k]!;
    const r = ceiling < 0 ? -1 : BUCKETS - 1 - Math.min(BUCKETS - 1, Math.floor(ceiling * BUCKETS));
    bucketOf[k] = r;
    if (r >= 0) starts[r + 1]!++;
  }
  for (let r = 0; r < BUCKETS; r++) starts[r + 1]! += starts[r]!;
  const next = starts.slice();
  for (let k = 0; k < count; k++) {
    const r = bucketOf[k]!;
    if (r >= 0) order[next[r]!++] = k;
  }
  return starts;
}
