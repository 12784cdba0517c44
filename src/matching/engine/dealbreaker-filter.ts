import type { ProfileStore } from './columnar-store.ts';
import type { Step } from './forward-score.ts';

/**
 * The dealbreaker filter: lists into `rows` the active rows from..to of `others` (of those flagged
 * in `only`, when given) that give a value
 * to every dealbreaker of the subject and meet it fully; returns how many. Only these rows can be
 * acceptable to the subject, so every later stage looks at these only. Each dealbreaker is its
 * kind's pass over the rows left (a bit test for options, a table look-up for codes).
 */
export function rowsMeetingDealbreakers(
  steps: readonly Step[],
  others: ProfileStore,
  rows: Int32Array,
  from: number,
  to: number,
  only?: Uint8Array,
): number {
  let count = 0;
  const active = others.active;
  if (only) {
    for (let o = from; o < to; o++) if (active[o] !== 0 && only[o] === 1) rows[count++] = o;
  } else {
    for (let o = from; o < to; o++) if (active[o] !== 0) rows[count++] = o;
  }
  for (const step of steps) {
    if (step.dealbreaker) count = step.keepFullyMet(others, rows, count);
  }
  return count;
}
