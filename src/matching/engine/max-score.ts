import { mutualScore } from '../score.ts';
import type { ScoreMethod } from '../types.ts';
import { addSteps, multiSat, type Step } from './forward-score.ts';
import { bucketCeiling, orderByCeiling } from './impact-buckets.ts';
import { MULTI, NUMBER, PROFILE, SINGLE } from './layout.ts';
import { numberSat, satisfactionOf } from './pair-score.ts';
import { MARGIN, ROUNDING } from './precision.ts';
import { mayEnter, type Scan, threshold } from './scan-state.ts';
import { offer } from './top-k-collector.ts';

/** Steps lighter than this only count in the exact pass: they would cost more than they rule out. */
const LIGHTEST_BOUND_WEIGHT = 10;
/** Rows scored one by one to fill the heap before it gives a threshold, per row kept by the heap. */
const FILL_BUDGET_PER_ROW = 4;

export interface BoundBuffers {
  weighted: Float64Array;
  total: Float64Array;
  /** per listed row: the weight it lost on the steps added so far */
  lost: Float64Array;
  ceilings: Float64Array;
  order: Int32Array;
  bucketOf: Int16Array;
}

/** The subject's steps that give bounds, in the order they are added, and the subject's whole weight. */
export interface BoundPlan {
  steps: Step[];
  /** W: Σ of the weights of every step of the subject (dealbreakers and steps not in the plan too) */
  weight: number;
}

/** Rough cost of a step per row in ns, by step kind (SINGLE, which scale steps are too, MULTI, −, NUMBER, PROFILE). */
const STEP_COST = [3, 8, 3, 12, 60] as const;
/** Rows probed to tell which criteria lose the most weight (here and in reverse-score.ts). */
export const PROBE_ROWS = 256;

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
  const gainOf = new Map<Step, number>();
  for (const step of steps) {
    if (step.dealbreaker || step.kind === PROFILE || step.w < LIGHTEST_BOUND_WEIGHT) continue;
    gainOf.set(step, lostWeight(step, scan, probe, buffers) / STEP_COST[step.kind]);
  }
  const bounding = [...gainOf.keys()].sort((a, b) => gainOf.get(b)! - gainOf.get(a)!);
  return { steps: bounding, weight: steps.reduce((sum, step) => sum + step.w, 0) };
}

/** Up to PROBE_ROWS of the listed rows, spread over the list (written into `into`, a scratch array). */
function probeRows(rows: Int32Array, count: number, into: Int32Array): Int32Array {
  const size = Math.min(count, PROBE_ROWS);
  for (let i = 0; i < size; i++) into[i] = rows[Math.floor((i * count) / size)]!;
  return into.subarray(0, size);
}

function lostWeight(step: Step, scan: Scan, probe: Int32Array, buffers: BoundBuffers): number {
  const { weighted, total } = buffers;
  weighted.fill(0, 0, probe.length);
  total.fill(0, 0, probe.length);
  addSteps([step], scan.subject, scan.s, scan.others, probe, probe.length, weighted, total);
  let lost = 0;
  for (let k = 0; k < probe.length; k++) lost += total[k]! - weighted[k]!;
  return lost;
}

/**
 * Narrows `rows[0..count)` (rows meeting the subject's dealbreakers) to those that may still make
 * the list, compacted in place with the weight each lost (`buffers.lost`); returns how many are
 * left. The rows left out are either in the heap already or provably ranked after its worst row.
 *
 * The plan's steps are added one at a time, each row summing only the weight it lost,
 * L = Σ w·(1 − sat) (a missing value loses nothing). With W the subject's whole weight, a row's
 * S(subject→row) = 1 − L′/t for its final loss L′ ≥ L and the weight t ≤ W of the criteria it
 * answered, so it is at most 1 − L/W: one number per row bounds it (see lossBound). Rows whose
 * bound is under the subject's minScore go, and so do rows whose mutual score with that bound
 * and S(row→subject) = 1 cannot reach the threshold (the heap's worst score once it is full, or
 * the scan's guess). If the heap is not full after the first step, the rows with the best bounds
 * are scored exactly (both ways, one by one) to fill it.
 */
export function narrowByBounds(
  scan: Scan,
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: BoundBuffers,
): number {
  const { lost } = buffers;
  lost.fill(0, 0, count);
  plan.steps.forEach((step, i) => {
    count = addLossAndKeep(step, scan, rows, count, lost, lossBudget(scan, plan));
    if (i === 0 && !scan.heap.isFull()) {
      fillHeap(scan, plan, rows, count, buffers);
      count = keepWithinBudget(rows, count, lost, lossBudget(scan, plan));
    }
  });
  return count;
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

/**
 * Adds to each listed row's loss what it loses on `step`, and keeps (compacted, with their
 * losses) the rows within `budget`: one pass, one loop per kind so each stays monomorphic.
 * Compaction is branch-free (always write, advance when kept): the outcome is hard to predict.
 */
function addLossAndKeep(
  step: Step,
  scan: Scan,
  rows: Int32Array,
  count: number,
  lost: Float64Array,
  budget: number,
): number {
  const base = step.column;
  const others = scan.others;
  let kept = 0;
  switch (step.kind) {
    case SINGLE: {
      const { loss } = step;
      const codes = others.codes;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const l = lost[k]! + loss[codes[base + o]!]!;
        rows[kept] = o;
        lost[kept] = l;
        kept += +(l <= budget);
      }
      return kept;
    }
    case MULTI: {
      const { w, wanted, wantedCount, all } = step;
      const masks = others.masks;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const x = masks[base + o]!;
        const l = x === 0 ? lost[k]! : lost[k]! + w * (1 - multiSat(x, wanted, wantedCount, all));
        rows[kept] = o;
        lost[kept] = l;
        kept += +(l <= budget);
      }
      return kept;
    }
    case NUMBER: {
      const { w, min, max, ratio, width } = step;
      const nums = others.nums;
      for (let k = 0; k < count; k++) {
        const o = rows[k]!;
        const x = nums[base + o]!;
        const l = Number.isNaN(x) ? lost[k]! : lost[k]! + w * (1 - numberSat(min, max, x, ratio, width));
        rows[kept] = o;
        lost[kept] = l;
        kept += +(l <= budget);
      }
      return kept;
    }
    case PROFILE:
      throw new Error('profile steps give no bounds'); // boundPlan leaves them out
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

/**
 * Scores rows one by one, best bound first, until the heap is full or the budget is spent; scored
 * rows are marked −1 in `rows` (they are in the heap or out for good).
 */
function fillHeap(scan: Scan, plan: BoundPlan, rows: Int32Array, count: number, buffers: BoundBuffers): void {
  const { subject, s, others, heap } = scan;
  const { lost, order, ceilings, bucketOf } = buffers;
  for (let k = 0; k < count; k++) {
    const bound = lossBound(lost[k]!, plan);
    ceilings[k] = rows[k]! < 0 || bound < scan.subjectMin ? -1 : mutualScore(bound, 1, scan.method);
  }
  const starts = orderByCeiling(ceilings, count, order, bucketOf);
  let budget = FILL_BUDGET_PER_ROW * heap.capacity;
  for (let r = 0; r < starts.length - 1 && mayEnter(scan, bucketCeiling(r)); r++) {
    for (let i = starts[r]!; i < starts[r + 1]!; i++) {
      if (budget-- === 0) return;
      const k = order[i]!;
      const o = rows[k]!;
      rows[k] = -1;
      const s1 = satisfactionOf(subject, s, others, o);
      if (s1 >= scan.subjectMin) offer(scan, o, s1);
    }
  }
}
