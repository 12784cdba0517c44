import type { ForwardStep } from './kinds/index.ts';
import { kindOf } from './kinds/index.ts';
import type { RowArrays } from './layout.ts';
import { DEALBREAKER_LEVEL, LEVEL_BITS, LEVEL_WEIGHTS } from './levels.ts';

/**
 * Exact scoring of S(subject→row), column at a time: the subject's expectations are compiled once
 * per listing into steps (one per criterion it cares about, each its kind's loops; see
 * kinds/kind.ts), and each step adds its w·sat and w to the running sums of many rows.
 */

/** Listed rows per block: the block's running sums (2 × 8 bytes a row) stay in the CPU cache. */
const BLOCK = 2048;

export type Step = ForwardStep;

/** The subject's expectations in questionnaire order, compiled once per scan (see kinds/kind.ts). */
export function compileSteps(subject: RowArrays, s: number, others: RowArrays): Step[] {
  const layout = subject.layout;
  const steps: Step[] = [];
  for (let c = 0; c < layout.count; c++) {
    const level = subject.levels[s * layout.record.bytes + c]! & LEVEL_BITS;
    if (level === 0) continue;
    const base = {
      criterion: c,
      level,
      w: LEVEL_WEIGHTS[level]!,
      dealbreaker: level === DEALBREAKER_LEVEL,
      column: layout.valueSlot[c]! * others.capacity,
    };
    steps.push(kindOf(layout.kinds[c]!).forwardStep(subject, s, others, c, base));
  }
  return steps;
}

/**
 * Adds each step's w·sat and w to the sums of every listed row (sums by list position), step by
 * step in the order given, within blocks of rows. Given every step of the subject in questionnaire
 * order on zeroed sums, this is the reference scorer's arithmetic: S = weighted / total (1 when
 * total is 0) is bit-identical to it. The rows must meet the subject's dealbreakers.
 */
export function addSteps(
  steps: readonly Step[],
  others: RowArrays,
  rows: Int32Array,
  count: number,
  weighted: Float64Array,
  total: Float64Array,
): void {
  for (let from = 0; from < count; from += BLOCK) {
    const to = Math.min(count, from + BLOCK);
    for (const step of steps) step.add(others, rows, from, to, weighted, total);
  }
}
