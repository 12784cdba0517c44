import { satisfactionOf } from './kernel.ts';
import { PROFILE } from './layout.ts';
import { bucketCeiling, mayEnter, offer, orderByCeiling, ROUNDING, type Scan, threshold } from './scan.ts';
import { mutualScore } from './score.ts';
import { addSteps, type Step } from './sweep.ts';
import type { ScoreMethod } from './types.ts';

/** Sums added in another order than the reference's differ from its by float noise: bounds get this much slack. */
const MARGIN = 1e-9;
/** Steps lighter than this only count in the exact pass: they would cost more than they rule out. */
const LIGHTEST_BOUND_WEIGHT = 10;
/** Rows scored one by one to fill the heap before it gives a threshold, per row kept by the heap. */
const FILL_BUDGET_PER_ROW = 4;

export interface BoundBuffers {
  weighted: Float64Array;
  total: Float64Array;
  ceilings: Float64Array;
  order: Int32Array;
  bucketOf: Int16Array;
}

/** The subject's steps that give bounds, in the order they are added, with the weight left after each. */
export interface BoundPlan {
  steps: Step[];
  /** weight of the dealbreakers: every row looked at meets them, so they count as added (sat ≤ 1) */
  dealbreakers: number;
  /** remaining[i]: weight of the subject's steps not added once steps[0..i] are */
  remaining: number[];
  /** weight of the subject's steps the plan does not add (neither bounding steps nor dealbreakers) */
  unadded: number;
}

/** Rough cost of a step per row in ns, by step kind (SINGLE, which scale steps are too, MULTI, −, NUMBER, PROFILE). */
const STEP_COST = [3, 8, 3, 12, 60] as const;
/** Rows probed to tell which steps lose the most weight. */
const PROBE_ROWS = 256;

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
  const dealbreakers = weightOf(steps.filter((step) => step.dealbreaker));
  let left = weightOf(steps) - dealbreakers;
  const remaining = bounding.map((step) => {
    left -= step.w;
    return left;
  });
  return { steps: bounding, dealbreakers, remaining, unadded: left };
}

function weightOf(steps: readonly Step[]): number {
  return steps.reduce((sum, step) => sum + step.w, 0);
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
 * the list, compacted in place; returns how many are left. The rows left out are either in the
 * heap already or provably ranked after its worst row.
 *
 * The plan's steps are added one at a time. With the weight R of the steps not added yet, a row's
 * S(subject→row) = (w + w′)/(t + t′) with 0 ≤ w′ ≤ t′ ≤ R and w ≤ t, which is at most
 * (w + R)/(t + R) (1 when t + R = 0); the dealbreakers, met by every listed row, count as added
 * with sat = 1, which only raises the bound. Rows whose bound is under the subject's minScore go,
 * and so do rows whose mutual score with that bound and S(row→subject) = 1 cannot reach the
 * threshold (the heap's worst score once it is full, or the scan's guess). If the heap is not full
 * after the first step, the rows with the best bounds are scored exactly (both ways, one by one)
 * to fill it.
 */
export function narrowByBounds(
  scan: Scan,
  plan: BoundPlan,
  rows: Int32Array,
  count: number,
  buffers: BoundBuffers,
): number {
  const { weighted, total } = buffers;
  weighted.fill(plan.dealbreakers, 0, count);
  total.fill(plan.dealbreakers, 0, count);
  plan.steps.forEach((step, i) => {
    addSteps([step], scan.subject, scan.s, scan.others, rows, count, weighted, total);
    const remaining = plan.remaining[i]!;
    if (i === 0 && !scan.heap.isFull()) fillHeap(scan, rows, count, remaining, buffers);
    count = keepPromising(rows, count, remaining, satisfactionNeeded(scan), buffers);
  });
  return count;
}

/** The least S(subject→row) a row needs to be acceptable and, with the heap full, to enter it. */
function satisfactionNeeded(scan: Scan): number {
  return Math.max(scan.subjectMin, inverseOfMutual(threshold(scan) - ROUNDING, scan.method));
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
 * Keeps (compacted, with their sums) the rows not scored yet whose bound (w + R)/(t + R) reaches
 * `needed`, less the margin; written without the division.
 */
function keepPromising(
  rows: Int32Array,
  count: number,
  remaining: number,
  needed: number,
  buffers: BoundBuffers,
): number {
  const { weighted, total } = buffers;
  const least = needed - MARGIN;
  let kept = 0;
  // Branch-free compaction (always write, advance when kept): the outcome is hard to predict.
  for (let k = 0; k < count; k++) {
    const o = rows[k]!;
    const w = weighted[k]!;
    const t = total[k]!;
    rows[kept] = o;
    weighted[kept] = w;
    total[kept] = t;
    kept += +(w + remaining >= least * (t + remaining)) & ~(o >> 31);
  }
  return kept;
}

/**
 * An upper bound of S(subject→row) from sums w ≤ t of some of the subject's steps (in any order)
 * and the weight R of the steps not added: (w + R)/(t + R), 1 when t + R = 0, with the margin.
 */
export function satisfactionBound(weighted: number, total: number, remaining: number): number {
  const denominator = total + remaining;
  return denominator === 0 ? 1 : Math.min(1, (weighted + remaining) / denominator + MARGIN);
}

/**
 * Scores rows one by one, best bound first, until the heap is full or the budget is spent; scored
 * rows are marked −1 in `rows` (they are in the heap or out for good).
 */
function fillHeap(
  scan: Scan,
  rows: Int32Array,
  count: number,
  remaining: number,
  buffers: BoundBuffers,
): void {
  const { subject, s, others, heap } = scan;
  const { weighted, total, order, ceilings, bucketOf } = buffers;
  for (let k = 0; k < count; k++) {
    const bound = satisfactionBound(weighted[k]!, total[k]!, remaining);
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
