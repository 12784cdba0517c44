import { type BoundPlan, boundPlan, lossBound, narrowByBounds } from './bounds.ts';
import { EPSILON, valuedByBoth } from './kernel.ts';
import { boundingCriteria, type RowBatch, satisfactionsOfRows } from './reverse-sweep.ts';
import {
  bucketCeiling,
  mayEnter,
  offerScored,
  orderByCeiling,
  type RankRequest,
  ROUNDING,
  type Scan,
  startScan,
  threshold,
} from './scan.ts';
import { lowerScore, mutualScore, round6 } from './score.ts';
import { compareIds, type ProfileStore } from './store.ts';
import { addSteps, compileSteps, rowsMeetingDealbreakers, type Step } from './sweep.ts';
import type { TopK } from './top-k.ts';
import type { ScoreMethod } from './types.ts';

export type { RankRequest } from './scan.ts';

/** One reciprocally acceptable row of the other side, with the pair's scores (rounded). */
export interface RankedRow {
  slot: number;
  score: number;
  /** max(0, M − 1/n), n = criteria both sides gave a value for */
  scoreLower: number;
  /** S(subject→other) */
  subjectSatisfaction: number;
  /** S(other→subject) */
  otherSatisfaction: number;
}

/** A row kept by a ranking: its slot, rounded mutual score and exact satisfactions both ways. */
export interface KeptRow {
  slot: number;
  score: number;
  s1: number;
  s2: number;
}

/**
 * Every reciprocally acceptable row of `others` for row `s` of `subject`, best first (score
 * descending, id ascending), keeping only the best `limit + 1` in a bounded heap.
 *
 * Only rows meeting the subject's dealbreakers are looked at, and of those only the rows that
 * bounds on S(subject→row) cannot rule out (see narrowByBounds) are scored exactly, with the
 * reference scorer's arithmetic: the list is the reference's to the last bit. Samples of the rows
 * are ranked first, so that the heap prunes the bulk of the rows from the start.
 */
export function rankAgainst(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
): { rows: RankedRow[]; hasMore: boolean } {
  return listingOf(subject, s, others, request, rankRange(subject, s, others, request, 0, others.end));
}

/** The best `limit + 1` reciprocally acceptable rows among rows from..to of `others`, best first. */
export function rankRange(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
  from: number,
  to: number,
): KeptRow[] {
  const scan =
    fillScan(subject, s, others, request, true, from, to) ??
    fillScan(subject, s, others, request, false, from, to)!;
  return scan.heap.drainBestFirst();
}

/** The best `limit + 1` of the rows kept by the rankings of disjoint ranges (each best first), best first. */
export function mergeRanges(
  lists: readonly KeptRow[][],
  others: ProfileStore,
  request: RankRequest,
): KeptRow[] {
  return lists
    .flat()
    .sort((a, b) =>
      a.score !== b.score ? b.score - a.score : compareIds(others.ids, a.slot, others.ids, b.slot),
    )
    .slice(0, request.limit + 1);
}

/** The listing's page from the best `limit + 1` rows: `limit` rows with every score, and whether more follow. */
export function listingOf(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
  kept: readonly KeptRow[],
): { rows: RankedRow[]; hasMore: boolean } {
  const rows = kept.slice(0, request.limit).map(({ slot, score, s1, s2 }) => ({
    slot,
    score,
    scoreLower: round6(
      lowerScore(mutualScore(s1, s2, request.method), valuedByBoth(subject, s, others, slot)),
    ),
    subjectSatisfaction: round6(s1),
    otherSatisfaction: round6(s2),
  }));
  return { rows, hasMore: kept.length > request.limit };
}

/**
 * A scan of rows from..to whose heap holds the best `limit + 1` rows; with `guessing`, the samples' best rows also
 * give a guess of the final threshold that prunes more, and undefined means the guess was too high.
 */
function fillScan(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
  guessing: boolean,
  from: number,
  to: number,
): Scan | undefined {
  const scan = startScan(subject, s, others, request);
  const buffers = scratch(others.end);
  const steps = compileSteps(subject, s, others);
  const count = rowsMeetingDealbreakers(steps, subject, s, others, buffers.rows, from, to);
  const plan = boundPlan(steps, scan, buffers.rows, count, buffers);
  scan.boundingCriteria = boundingCriteria(
    scan.subjectValues,
    others,
    probeOf(buffers, count),
    count === 0 ? 0 : PROBE_ROWS,
  );
  let rest = count;
  for (const stride of SAMPLE_STRIDES) {
    if (rest < stride * SAMPLE_MIN_PER_ROW * scan.heap.capacity) continue;
    const taken = takeSample(buffers, rest, stride);
    rest -= taken;
    rankRows(scan, steps, plan, buffers.sample, taken, buffers);
    if (guessing) scan.guess = Math.max(scan.guess, guessOfWorst(scan.heap, (count - rest) / count));
  }
  rankRows(scan, steps, plan, buffers.rows, rest, buffers);
  // Rows were skipped for ranking below the guess: right only if the heap's worst did not fall below it.
  const guessHeld = scan.heap.isFull() && scan.heap.worstScore() >= scan.guess;
  return scan.guess === Number.NEGATIVE_INFINITY || guessHeld ? scan : undefined;
}

/** PROBE_ROWS of the listed rows (with repeats when fewer), spread over the list, in `buffers.batch`. */
function probeOf(buffers: Buffers, count: number): RowBatch {
  for (let i = 0; i < PROBE_ROWS; i++)
    buffers.batch.rows[i] = buffers.rows[Math.floor((i * count) / PROBE_ROWS)]!;
  return buffers.batch;
}

/**
 * A guess of the heap's final worst score once a uniform share `p` of the rows was offered: of the
 * `capacity` best rows overall about capacity·p (binomially) were offered, so the heap's k-th best
 * is at most the final worst unless k of them were, k three deviations above that mean.
 */
function guessOfWorst(heap: TopK, p: number): number {
  const mean = heap.capacity * p;
  const k = Math.ceil(mean + GUESS_DEVIATIONS * Math.sqrt(mean * (1 - p))) + 1;
  return k <= heap.length ? heap.kthBestScore(k) : Number.NEGATIVE_INFINITY;
}

/**
 * One run of SAMPLE_RUN listed rows in every `stride` runs goes to the sample (runs of neighbouring
 * rows read memory in cache lines, not row by row); the others stay, compacted. Returns the sample's size.
 */
function takeSample(buffers: Buffers, count: number, stride: number): number {
  const { rows, sample } = buffers;
  let stay = 0;
  let taken = 0;
  for (let run = 0; run * SAMPLE_RUN < count; run++) {
    const end = Math.min(count, (run + 1) * SAMPLE_RUN);
    if (run % stride === 0) for (let k = run * SAMPLE_RUN; k < end; k++) sample[taken++] = rows[k]!;
    else for (let k = run * SAMPLE_RUN; k < end; k++) rows[stay++] = rows[k]!;
  }
  return taken;
}

/** Offers to the heap every row of `rows[0..count)` that may make the list. */
function rankRows(
  scan: Scan,
  steps: readonly Step[],
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: Buffers,
): void {
  const left = narrowByBounds(scan, plan, rows, count, buffers);
  scoreRemaining(scan, steps, plan, rows, left, buffers);
}

/**
 * The rows left, bucketed by the best score their bounds on S(subject→row) allow (with
 * S(row→subject) = 1), are scored from the best bucket down until no bucket can beat the heap: a
 * bucket's rows (in slot order) in batches, S(row→subject) column by column first (dropping the
 * rows that provably cannot enter the heap), then S(subject→row) exactly for the rows left.
 */
function scoreRemaining(
  scan: Scan,
  steps: readonly Step[],
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: Buffers,
): void {
  const { lost, ceilings, order, bucketOf } = buffers;
  const bounds = buffers.weighted;
  for (let k = 0; k < count; k++) {
    const bound = lossBound(lost[k]!, plan);
    bounds[k] = bound;
    ceilings[k] = bound < scan.subjectMin ? -1 : mutualScore(bound, 1, scan.method);
  }
  const starts = orderByCeiling(ceilings, count, order, bucketOf);
  for (let r = 0; r < starts.length - 1 && mayEnter(scan, bucketCeiling(r)); r++) {
    for (let from = starts[r]!; from < starts[r + 1]!; from += BATCH) {
      offerBatch(scan, steps, bounds, rows, from, Math.min(starts[r + 1]!, from + BATCH), buffers);
    }
  }
}

/**
 * Scores the rows at order[from..to) both ways and offers them in order, but for the rows found
 * broken, or unable to reach the heap or either side's minScore (none of which the heap would keep).
 * `bounds` are upper bounds of their S(subject→row), so the S(row→subject) they need is a lower bound.
 */
function offerBatch(
  scan: Scan,
  steps: readonly Step[],
  bounds: Float64Array,
  rows: Int32Array,
  from: number,
  to: number,
  buffers: Buffers,
): void {
  const { order, batch, subjectSums } = buffers;
  const { subject, s, others } = scan;
  const needed = threshold(scan) - ROUNDING;
  const size = to - from;
  for (let i = 0; i < size; i++) {
    const k = order[from + i]!;
    const o = rows[k]!;
    batch.rows[i] = o;
    const acceptable = others.minScoreOf(o) - EPSILON;
    batch.least[i] = Math.max(acceptable, leastOtherSatisfaction(needed, bounds[k]!, scan.method));
  }
  const kept = satisfactionsOfRows(scan.subjectValues, scan.boundingCriteria, others, batch, size);
  const { weighted, total } = subjectSums;
  weighted.fill(0, 0, kept);
  total.fill(0, 0, kept);
  addSteps(steps, subject, s, others, batch.rows, kept, weighted, total);
  for (let i = 0; i < kept; i++) {
    const s1 = total[i] === 0 ? 1 : weighted[i]! / total[i]!;
    if (s1 >= scan.subjectMin) offerScored(scan, batch.rows[i]!, s1, batch.weighted[i]!);
  }
}

/** The least s2 with mutualScore(s1, s2) ≥ score, at most 1 (mutual scores grow with s2). */
function leastOtherSatisfaction(score: number, s1: number, method: ScoreMethod): number {
  if (score <= 0) return 0;
  switch (method) {
    case 'harmonic':
      return 2 * s1 > score ? Math.min(1, (score * s1) / (2 * s1 - score)) : 1;
    case 'geometric':
      return s1 > 0 ? Math.min(1, (score * score) / s1) : 1;
    case 'min':
      return Math.min(1, score);
  }
}

/** Rows probed to tell which criteria bound S(row→subject) best. */
const PROBE_ROWS = 256;
/** Rows of a bucket scored the other way together: their running sums stay in the CPU cache. */
const BATCH = 2048;
/** Samples of the listed rows, one run in this many, smallest first (each only when big enough). */
const SAMPLE_STRIDES = [256, 16];
/** Neighbouring rows sampled together: they share cache lines. */
const SAMPLE_RUN = 16;
/** Sample only when the sample would hold at least this many rows per heap row. */
const SAMPLE_MIN_PER_ROW = 16;
/** How far above the expected count of best rows in the samples the guess's rank is, in deviations. */
const GUESS_DEVIATIONS = 3;

type Buffers = ReturnType<typeof scratch>;
const buffers = {
  size: 0,
  rows: new Int32Array(0),
  sample: new Int32Array(0),
  weighted: new Float64Array(0),
  total: new Float64Array(0),
  lost: new Float64Array(0),
  ceilings: new Float64Array(0),
  order: new Int32Array(0),
  bucketOf: new Int16Array(0),
  batch: {
    rows: new Int32Array(BATCH),
    least: new Float64Array(BATCH),
    weighted: new Float64Array(BATCH),
    total: new Float64Array(BATCH),
    remaining: new Float64Array(BATCH),
  },
  subjectSums: { weighted: new Float64Array(BATCH), total: new Float64Array(BATCH) },
};

/** Per-row scratch for a scan, reused between calls (a scan runs synchronously, one at a time). */
function scratch(rows: number) {
  if (buffers.size < rows) {
    const size = Math.ceil(rows * 1.25);
    buffers.size = size;
    buffers.rows = new Int32Array(size);
    buffers.sample = new Int32Array(Math.ceil(size / Math.min(...SAMPLE_STRIDES)) + SAMPLE_RUN);
    buffers.weighted = new Float64Array(size);
    buffers.total = new Float64Array(size);
    buffers.lost = new Float64Array(size);
    buffers.ceilings = new Float64Array(size);
    buffers.order = new Int32Array(size);
    buffers.bucketOf = new Int16Array(size);
  }
  return buffers;
}
