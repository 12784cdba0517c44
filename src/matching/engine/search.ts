import { EPSILON, lowerScore, mutualScore, round6 } from '../score.ts';
import type { ScoreMethod } from '../types.ts';
import type { ProfileStore } from './columnar-store.ts';
import { rowsMeetingDealbreakers } from './dealbreaker-filter.ts';
import { FloorCollector, type FloorRows } from './floor-collector.ts';
import { addSteps, compileSteps, type Step } from './forward-score.ts';
import { bucketCeiling, bucketOfCeiling, lossBuckets, lossCell, orderByBucket } from './impact-buckets.ts';
import { type BoundPlan, boundPlan, lossBound, narrowByBounds, probeRows } from './max-score.ts';
import { valuedAmong, valuedBy } from './pair-score.ts';
import { ROUNDING } from './precision.ts';
import { prefetchRecords, prefetchValues } from './prefetch-rows.ts';
import { keepRowsWhoseDealbreakersHold, type RowDealbreakers } from './reverse-dealbreakers.ts';
import { boundingCriteria, satisfactionsOfRows } from './reverse-score.ts';
import {
  type ListingScan,
  mayEnter,
  type RankRequest,
  type Scan,
  startScan,
  threshold,
} from './scan-state.ts';
import {
  guessHeld,
  guessOfWorst,
  SAMPLE_STRIDES,
  sampleCapacity,
  takeSample,
  worthSampling,
} from './threshold-probe.ts';
import { offerScored } from './top-k-collector.ts';

export type { RankRequest } from './scan-state.ts';

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

/**
 * Every reciprocally acceptable row among rows from..to of `others` whose rounded mutual score is at
 * least `floor`, in no particular order: a listing without a limit, pruned by the floor instead of a
 * heap (alerts; they need the set, not its order). `rows.excluded` are left out as in a listing;
 * with `rows.only`, only the rows it flags are looked at.
 */
export function rankAboveFloor(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  method: ScoreMethod,
  floor: number,
  from: number,
  to: number,
  rows: FloorScanRows = {},
): FloorRows {
  const scan: Scan = startScan(subject, s, others, { limit: 0, method, excluded: rows.excluded });
  scan.only = rows.only;
  scan.floors = rows.floors;
  scan.rowDealbreakers = rows.rowDealbreakers;
  const collector = new FloorCollector(floor);
  scan.heap = collector;
  runScan(scan, false, from, to);
  return collector.found();
}

/**
 * The rows a floor scan looks at: not `excluded`; with `only`, only the rows it flags; with `floors`,
 * each row (flagged by `only`) at its own floor, at or above the scan's; with `rowDealbreakers`
 * (every row's own, listed once for many scans of the same rows), only the rows whose own
 * dealbreakers the subject meets are bounded and scored.
 */
export interface FloorScanRows {
  excluded?: ReadonlySet<number> | undefined;
  only?: Uint8Array | undefined;
  floors?: Float64Array | undefined;
  rowDealbreakers?: RowDealbreakers | undefined;
}

/** The listing's page from the best `limit + 1` rows: `limit` rows with every score, and whether more follow. */
export function listingOf(
  subject: ProfileStore,
  s: number,
  others: ProfileStore,
  request: RankRequest,
  kept: readonly KeptRow[],
): { rows: RankedRow[]; hasMore: boolean } {
  const page = kept.slice(0, request.limit);
  // The page's rows were scored a while ago: their value cells are read ahead together, not
  // missed one by one while their confidence counts are worked out (at 100k, about 3 µs a row).
  const slots = Int32Array.from(page, (row) => row.slot);
  prefetchValues(others, slots, slots.length);
  const valued = valuedBy(subject, s);
  const rows = page.map(({ slot, score, s1, s2 }) => ({
    slot,
    score,
    scoreLower: round6(lowerScore(mutualScore(s1, s2, request.method), valuedAmong(valued, others, slot))),
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
): ListingScan | undefined {
  return runScan(startScan(subject, s, others, request), guessing, from, to);
}

function runScan<S extends Scan>(scan: S, guessing: boolean, from: number, to: number): S | undefined {
  const { subject, s, others } = scan;
  const buffers = scratch(others.end);
  const steps = compileSteps(subject, s, others);
  // A floor scan given every row's own dealbreakers drops the rows that break one after the plan.
  const noted = scan.rowDealbreakers ? undefined : { row: subject, s };
  let count = rowsMeetingDealbreakers(steps, others, buffers.rows, from, to, scan.only, noted);
  const plan = boundPlan(steps, scan, buffers.rows, count, buffers);
  if (scan.rowDealbreakers) {
    // After the plan, which is therefore the same: the rows left keep their order and their bounds.
    // S(row→subject) gets no bounding criteria: what they would drop left with these (scan-state.ts).
    count = keepRowsWhoseDealbreakersHold(others, scan.rowDealbreakers, buffers.rows, count, subject, s);
  } else {
    // The probe's rows go into the batch's, whose scratch sums boundingCriteria scores them with.
    const probed = probeRows(buffers.rows, count, buffers.batch.rows).length;
    scan.boundingCriteria = boundingCriteria(scan.subjectValues, others, buffers.batch, probed);
  }
  let rest = count;
  for (const stride of SAMPLE_STRIDES) {
    if (!worthSampling(rest, stride, scan.heap.capacity)) continue;
    const taken = takeSample(buffers.rows, buffers.sample, rest, stride);
    rest -= taken;
    rankRows(scan, steps, plan, buffers.sample, taken, buffers);
    if (guessing) scan.guess = Math.max(scan.guess, guessOfWorst(scan.heap, (count - rest) / count));
  }
  rankRows(scan, steps, plan, buffers.rows, rest, buffers);
  return guessHeld(scan) ? scan : undefined;
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
  const fill = (listed: number) => scoreBestFirst(scan, steps, plan, rows, listed, buffers, FILLING);
  const left = narrowByBounds(scan, plan, rows, count, buffers, fill);
  scoreBestFirst(scan, steps, plan, rows, left, buffers, SCORING);
}

/**
 * The rows of `rows[0..count)`, bucketed by the best score their bounds on S(subject→row) allow
 * (with S(row→subject) = 1), are scored from the best bucket down until no bucket can beat the
 * heap, or `budget` rows were scored: a bucket's rows (in slot order) in batches of `batch`,
 * S(row→subject) column by column first (dropping the rows that provably cannot enter the heap),
 * then S(subject→row) exactly for the rows left; a small bucket is scored with the next ones that
 * may still enter the heap (`fewest`). Scored rows are marked −1 in `rows` (in the heap or out for
 * good). While the heap fills (FILLING) the batches are small, so that its threshold
 * prunes soon, and only the best few rows are scored before the rest are narrowed by it.
 */
function scoreBestFirst(
  scan: Scan,
  steps: readonly Step[],
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: Buffers,
  { batch, budgetPerRow, fewest }: { batch: number; budgetPerRow: number; fewest: number },
): void {
  const { order } = buffers;
  const starts = bucketsOf(scan, plan, rows, count, buffers);
  const buckets = starts.length - 1;
  let budget = budgetPerRow * scan.heap.capacity;
  for (let r = 0; r < buckets && budget > 0 && mayEnter(scan, bucketCeiling(r)); ) {
    let end = r + 1;
    while (end < buckets && starts[end]! - starts[r]! < fewest && mayEnter(scan, bucketCeiling(end))) end++;
    for (let from = starts[r]!; from < starts[end]! && budget > 0; from += batch) {
      const to = Math.min(starts[end]!, from + batch, from + budget);
      offerBatch(scan, steps, plan, rows, from, to, buffers);
      for (let i = from; i < to; i++) rows[order[i]!] = -1;
      budget -= to - from;
    }
    r = end;
  }
}

/**
 * Buckets `rows[0..count)` (rows marked −1 left out) by the mutual score their loss bound allows,
 * into `buffers.order`, best bucket first; returns the buckets' starts (impact-buckets.ts). A long
 * list is bucketed by its loss cells, a short one row by row (a cell table costs more than it saves there).
 */
function bucketsOf(
  scan: Scan,
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: Buffers,
): Int32Array {
  const { lost, order, bucketOf } = buffers;
  const { floors } = scan;
  if (count >= CELLS_FROM_ROWS) {
    plan.cells ??= lossBuckets(plan.weight, (l) => ceilingOfLoss(scan, plan, l));
    const table = plan.cells;
    for (let k = 0; k < count; k++) {
      const cell = lossCell(table, lost[k]!);
      const o = rows[k]!;
      const out = o < 0 || (floors !== undefined && table.ceilings[cell]! + ROUNDING < floors[o]!);
      bucketOf[k] = out ? -1 : table.buckets[cell]!;
    }
  } else {
    for (let k = 0; k < count; k++) {
      const o = rows[k]!;
      const ceiling = o < 0 ? -1 : ceilingOfLoss(scan, plan, lost[k]!);
      const out = floors !== undefined && ceiling >= 0 && ceiling + ROUNDING < floors[o]!;
      bucketOf[k] = out ? -1 : bucketOfCeiling(ceiling);
    }
  }
  return orderByBucket(bucketOf, count, order);
}

/** The most a row that lost `lost` may score, with S(row→subject) = 1; −1 when below the subject's minScore. */
function ceilingOfLoss(scan: Scan, plan: BoundPlan, lost: number): number {
  const bound = lossBound(lost, plan);
  return bound < scan.subjectMin ? -1 : mutualScore(bound, 1, scan.method);
}

/**
 * Scores the rows at order[from..to) both ways and offers them in order, but for the rows found
 * broken, or unable to reach the heap or either side's minScore (none of which the heap would keep).
 * Their losses bound their S(subject→row) from above, so the S(row→subject) they need is a lower bound.
 */
function offerBatch(
  scan: Scan,
  steps: readonly Step[],
  plan: BoundPlan,
  rows: Int32Array,
  from: number,
  to: number,
  buffers: Buffers,
): void {
  const { order, batch, subjectSums, lost } = buffers;
  const { others, floors } = scan;
  const needed = threshold(scan) - ROUNDING;
  const size = to - from;
  for (let i = 0; i < size; i++) batch.rows[i] = rows[order[from + i]!]!;
  prefetchRecords(others, batch.rows, size);
  for (let i = 0; i < size; i++) {
    const k = order[from + i]!;
    const o = batch.rows[i]!;
    const acceptable = others.minScoreOf(o) - EPSILON;
    const score = floors ? Math.max(needed, floors[o]! - ROUNDING) : needed;
    const bound = lossBound(lost[k]!, plan);
    batch.least[i] = Math.max(acceptable, leastOtherSatisfaction(score, bound, scan.method));
  }
  const kept = satisfactionsOfRows(scan.subjectValues, scan.boundingCriteria, others, batch, size);
  prefetchValues(others, batch.rows, kept);
  const { weighted, total } = subjectSums;
  weighted.fill(0, 0, kept);
  total.fill(0, 0, kept);
  addSteps(steps, others, batch.rows, kept, weighted, total);
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

/** Lists at least this long are bucketed by loss cells (impact-buckets.ts lossBuckets). */
const CELLS_FROM_ROWS = 4096;
/** Rows of a bucket scored the other way together: their running sums stay in the CPU cache. */
const BATCH = 2048;
/**
 * Buckets are scored together until a batch holds this many rows: the heap's threshold then
 * rises a little later, but each batch's passes (some 30 over its rows, for about 60 rows a
 * bucket at 100k) are paid fewer times (bench/README.md, 2026-12-07, session 54).
 */
const FEWEST_IN_BATCH = 64;
/** The rows left after narrowing: every one that may enter the heap. */
const SCORING = { batch: BATCH, budgetPerRow: Number.POSITIVE_INFINITY, fewest: FEWEST_IN_BATCH };
/** Filling the heap: small batches, at most 4 rows per row the heap keeps (then the rest are narrowed). */
const FILLING = { batch: 64, budgetPerRow: 4, fewest: 0 };

type Buffers = ReturnType<typeof scratch>;
const buffers = {
  size: 0,
  rows: new Int32Array(0),
  sample: new Int32Array(0),
  weighted: new Float64Array(0),
  total: new Float64Array(0),
  lost: new Float64Array(0),
  order: new Int32Array(0),
  bucketOf: new Int16Array(0),
  batch: {
    rows: new Int32Array(BATCH),
    least: new Float64Array(BATCH),
    weighted: new Float64Array(BATCH),
    start: new Float64Array(BATCH),
    remaining: new Float64Array(BATCH),
    brokenAt: new Int32Array(BATCH),
  },
  subjectSums: { weighted: new Float64Array(BATCH), total: new Float64Array(BATCH) },
};

/** Per-row scratch for a scan, reused between calls (a scan runs synchronously, one at a time). */
function scratch(rows: number) {
  if (buffers.size < rows) {
    const size = Math.ceil(rows * 1.25);
    buffers.size = size;
    buffers.rows = new Int32Array(size);
    buffers.sample = new Int32Array(sampleCapacity(size));
    buffers.weighted = new Float64Array(size);
    buffers.total = new Float64Array(size);
    buffers.lost = new Float64Array(size);
    buffers.order = new Int32Array(size);
    buffers.bucketOf = new Int16Array(size);
  }
  return buffers;
}
