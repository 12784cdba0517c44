import type { ScoreMethod } from '../types.ts';
import { addSteps, type Step } from './forward-score.ts';
import type { LossBuckets } from './impact-buckets.ts';
import { codeTablePasses } from './kinds/code-table.ts';
import type { LossBound } from './kinds/kind.ts';
import { MARGIN, ROUNDING } from './precision.ts';
import { type Scan, threshold } from './scan-state.ts';

/** Steps lighter than this only count in the exact pass: they would cost more than they rule out. */
const LIGHTEST_BOUND_WEIGHT = 10;

export interface BoundBuffers {
  weighted: Float64Array;
  total: Float64Array;
  /** per listed row: the weight it lost on the steps added so far */
  lost: Float64Array;
  order: Int32Array;
  bucketOf: Int16Array;
}

/** A step whose kind gives a loss bound. */
type BoundingStep = Step & { bound: LossBound };

/** The subject's steps that give bounds, in the order they are added, and the subject's whole weight. */
export interface BoundPlan {
  steps: BoundingStep[];
  /** W: Σ of the weights of every step of the subject (dealbreakers and steps not in the plan too) */
  weight: number;
  /** the rows' buckets by their loss, made when a long list is first bucketed (search.ts) */
  cells?: LossBuckets | undefined;
}

/** Rows probed to tell which criteria lose the most weight (here and in reverse-score.ts). */
export const PROBE_ROWS = 256;

/**
 * Rows probed of a list of `count`: PROBE_ROWS, but a thirty-second of a short list (at least 32,
 * at most all of it). An alert's scan of a bulk batch (1,000 rows, most of them pruned by the
 * first steps) spent more on probing every criterion of 125 rows both ways than on the scan itself.
 */
export function probeSize(count: number): number {
  return Math.min(count, PROBE_ROWS, Math.max(32, count >> 5));
}

/**
 * The bounding steps in the order that prunes soonest for the least work: by the weight they lose
 * (w·(1 − sat)) on a probe of the listed rows, per unit of cost.
 */
export function boundPlan(
  steps: readonly Step[],
  scan: Scan,
  rows: Int32Array,
  count: number,
  buffers: BoundBuffers,
): BoundPlan {
  const probe = probeRows(rows, count, buffers.order);
  const gainOf = new Map<BoundingStep, number>();
  for (const step of steps) {
    if (step.dealbreaker || !hasBound(step) || step.w < LIGHTEST_BOUND_WEIGHT) continue;
    gainOf.set(step, lostWeight(step, scan, probe, buffers) / step.bound.cost);
  }
  const bounding = [...gainOf.keys()].sort((a, b) => gainOf.get(b)! - gainOf.get(a)!);
  return { steps: bounding, weight: steps.reduce((sum, step) => sum + step.w, 0) };
}

function hasBound(step: Step): step is BoundingStep {
  return step.bound !== undefined;
}

/** probeSize(count) of the listed rows, spread over the list (written into `into`, a scratch array; here and in search.ts). */
export function probeRows(rows: Int32Array, count: number, into: Int32Array): Int32Array {
  const size = probeSize(count);
  for (let i = 0; i < size; i++) into[i] = rows[Math.floor((i * count) / size)]!;
  return into.subarray(0, size);
}

function lostWeight(step: Step, scan: Scan, probe: Int32Array, buffers: BoundBuffers): number {
  const { weighted, total } = buffers;
  weighted.fill(0, 0, probe.length);
  total.fill(0, 0, probe.length);
  addSteps([step], scan.others, probe, probe.length, weighted, total);
  let lost = 0;
  for (let k = 0; k < probe.length; k++) lost += total[k]! - weighted[k]!;
  return lost;
}

/**
 * Narrows `rows[0..count)` (rows meeting the subject's dealbreakers) to those that may still make
 * the list, compacted in place with the weight each lost (`buffers.lost`); returns how many are
 * left. The rows left out are either in the heap already or provably ranked after its worst row.
 *
 * The plan's steps are added in order, each row summing only the weight it lost,
 * L = Σ w·(1 − sat) (a missing value loses nothing). With W the subject's whole weight, a row's
 * S(subject→row) = 1 − L′/t for its final loss L′ ≥ L and the weight t ≤ W of the criteria it
 * answered, so it is at most 1 − L/W: one number per row bounds it (see lossBound). Rows whose
 * bound is under the subject's minScore go, and so do rows whose mutual score with that bound
 * and S(row→subject) = 1 cannot reach the threshold (the heap's worst score once it is full, or
 * the scan's guess). If the heap is not full yet, `fillHeap` is given the rows after the first
 * step (their losses in `buffers.lost`) to score the best-bounded of them and mark those −1.
 */
export function narrowByBounds(
  scan: Scan,
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: BoundBuffers,
  fillHeap: (count: number) => void,
): number {
  const { lost } = buffers;
  lost.fill(0, 0, count);
  let steps = plan.steps;
  if (!scan.heap.isFull() && steps.length > 0) {
    count = steps[0]!.bound.addLoss(scan.others, rows, count, lost, lossBudget(scan, plan));
    fillHeap(count);
    count = keepWithinBudget(rows, count, lost, lossBudget(scan, plan));
    steps = steps.slice(1);
  }
  return addLossByBlocks(scan.others, steps, rows, count, lost, lossBudget(scan, plan));
}

/**
 * Rows per block in addLossByBlocks: their positions and losses (12 bytes a row) stay in the CPU
 * cache. The pruning property tests (match-index-pruning, 1,600–2,600 rows) cross block edges.
 */
const LOSS_BLOCK = 2048;

/**
 * Adds `steps` to the rows' losses a block of rows at a time (every step over one block before
 * the next block), keeping the rows within `budget`, compacted; returns how many are kept. The
 * heap does not change meanwhile, so the budget is the same for every block and the rows kept are
 * those that a pass of each step over all rows would keep; a block is read from memory once,
 * not once per step. Consecutive code-table steps share a pass, up to three (codeTablePasses).
 */
function addLossByBlocks(
  others: Scan['others'],
  steps: readonly BoundingStep[],
  rows: Int32Array,
  count: number,
  lost: Float64Array,
  budget: number,
): number {
  if (steps.length === 0) return count;
  const passes = codeTablePasses(steps.map((step) => step.bound));
  let kept = 0;
  for (let from = 0; from < count; from += LOSS_BLOCK) {
    const to = Math.min(count, from + LOSS_BLOCK);
    const blockRows = rows.subarray(from, to);
    const blockLost = lost.subarray(from, to);
    let left = to - from;
    for (let i = 0; i < passes.length && left > 0; i++) {
      left = passes[i]!.addLoss(others, blockRows, left, blockLost, budget);
    }
    rows.copyWithin(kept, from, from + left);
    lost.copyWithin(kept, from, from + left);
    kept += left;
  }
  return kept;
}

/** The most weight a row may lose and still be acceptable to the subject and, with the heap full, enter it. */
function lossBudget(scan: Scan, plan: BoundPlan): number {
  const needed = Math.max(scan.subjectMin, inverseOfMutual(threshold(scan) - ROUNDING, scan.method));
  return plan.weight * (1 - needed + MARGIN);
}

/** The least s1 with mutualScore(s1, 1) ≥ score (mutual scores grow with s1). */
function inverseOfMutual(score: number, method: ScoreMethod): number {
  if (score <= 0) return 0;
  switch (method) {
    case 'harmonic':
      return score / (2 - score);
    case 'geometric':
      return score * score;
    case 'min':
      return score;
  }
}

/** Keeps (compacted, with their losses) the rows not scored yet (≥ 0) within `budget`. */
function keepWithinBudget(rows: Int32Array, count: number, lost: Float64Array, budget: number): number {
  let kept = 0;
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const l = lost[k]!;
    rows[kept] = o;
    lost[kept] = l;
    kept += +(l <= budget) & ~(o >> 31);
  }
  return kept;
}

/** An upper bound of S(subject→row) from the weight L the row lost so far: 1 − L/W (with the margin). */
export function lossBound(lost: number, plan: BoundPlan): number {
  return plan.weight === 0 ? 1 : Math.min(1, 1 - lost / plan.weight + MARGIN);
}
