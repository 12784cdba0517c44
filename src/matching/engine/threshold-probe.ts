import type { Collector, Scan } from './scan-state.ts';

/**
 * A sampled threshold with a safe fallback. Before the bulk of the rows, uniform samples of them
 * are ranked; the samples' best scores give a guess of the heap's final worst score, and rows that
 * cannot reach the guess are skipped. The guess is checked at the end (guessHeld): if the heap's
 * worst fell below it, rows were skipped that should not have been, and the listing starts over
 * without a guess. Either way the result is exact; the guess only saves work.
 */

/** Samples of the listed rows, one run in this many, smallest first (each only when big enough). */
export const SAMPLE_STRIDES = [256, 32];
/** Neighbouring rows sampled together: they share cache lines. */
const SAMPLE_RUN = 16;
/** Sample only when the sample would hold at least this many rows per heap row. */
const SAMPLE_MIN_PER_ROW = 16;
/** How far above the expected count of best rows in the samples the guess's rank is, in deviations. */
const GUESS_DEVIATIONS = 3;

/** Room for the largest sample of `rows` listed rows. */
export function sampleCapacity(rows: number): number {
  return Math.ceil(rows / Math.min(...SAMPLE_STRIDES)) + SAMPLE_RUN;
}

/** Is a sample of one run in `stride` of `rest` rows worth taking for a heap of `capacity`? */
export function worthSampling(rest: number, stride: number, capacity: number): boolean {
  return rest >= stride * SAMPLE_MIN_PER_ROW * capacity;
}

/**
 * One run of SAMPLE_RUN listed rows in every `stride` runs goes to `sample` (runs of neighbouring
 * rows read memory in cache lines, not row by row); the others stay in `rows`, compacted. Returns
 * the sample's size.
 */
export function takeSample(rows: Int32Array, sample: Int32Array, count: number, stride: number): number {
  let stay = 0;
  let taken = 0;
  for (let run = 0; run * SAMPLE_RUN < count; run++) {
    const end = Math.min(count, (run + 1) * SAMPLE_RUN);
    if (run % stride === 0) for (let k = run * SAMPLE_RUN; k < end; k++) sample[taken++] = rows[k]!;
    else for (let k = run * SAMPLE_RUN; k < end; k++) rows[stay++] = rows[k]!;
  }
  return taken;
}

/**
 * A guess of the heap's final worst score once a uniform share `p` of the rows was offered: of the
 * `capacity` best rows overall about capacity·p (binomially) were offered, so the heap's k-th best
 * is at most the final worst unless k of them were, k three deviations above that mean.
 */
export function guessOfWorst(heap: Collector, p: number): number {
  const mean = heap.capacity * p;
  const k = Math.ceil(mean + GUESS_DEVIATIONS * Math.sqrt(mean * (1 - p))) + 1;
  return k <= heap.length ? heap.kthBestScore(k) : Number.NEGATIVE_INFINITY;
}

/** Rows were skipped for ranking below the guess: right only if the heap's worst did not fall below it. */
export function guessHeld(scan: Scan): boolean {
  if (scan.guess === Number.NEGATIVE_INFINITY) return true;
  return scan.heap.isFull() && scan.heap.worstScore() >= scan.guess;
}
